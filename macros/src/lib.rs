//! quarry-macros: Quarry's procedural macros.
//!
//! `#[derive(FromRecord)]` builds a struct from a row, `#[derive(Type)]` maps a Rust enum, struct
//! or newtype to a PostgreSQL enum, composite or domain. Use them through the `quarry` crate, to
//! which the generated code refers.
//!
//! The `query!` family checks SQL at compile time against a database (`DATABASE_URL`) or the
//! offline cache (`.quarry/`), see the `query` module. This file holds only the entry points; `attr` reads the
//! `#[quarry(...)]` attributes both derives share, one module per expansion does the rest.

mod attr;
mod case;
mod choice;
mod column_key;
mod copy_row;
mod fallback;
mod from_record;
mod migrate;
mod query;
mod test_attr;
mod type_common;
mod type_composite;
mod type_derive;
mod type_enum;
mod type_transparent;

use proc_macro::TokenStream;
use query::{Form, Output};
use syn::{DeriveInput, parse_macro_input};

/// Derives `quarry::FromRecord` for a struct with named fields, one column per field.
///
/// Struct attribute: `#[quarry(rename_all = "camelCase")]` (also `snake_case`, `PascalCase`,
/// `SCREAMING_SNAKE_CASE`, `kebab-case`, `lowercase`, `UPPERCASE`). Field attributes:
/// `rename = "col"`, `default` (a missing column gives `Default::default()`), `flatten` (the
/// field is itself `FromRecord`, from the same row), `skip` (not read, `Default`),
/// `try_from = "i64"` (decode as `i64`, then `TryFrom`), `json` (deserialize the column with serde),
/// `nested` (a `Vec<Child>` of the rows `array_agg(ROW(...))` / `array_agg(t)` aggregates, each
/// read by `Child`'s `FromRecord`; with `json`, of `json_agg(...)`'s objects, read by serde),
/// checked by `query_as!` against the rows' fields.
///
/// ```ignore
/// #[derive(quarry::FromRecord)]
/// #[quarry(rename_all = "camelCase")]
/// struct User {
///     user_id: i32,
///     #[quarry(rename = "full_name")]
///     name: String,
///     #[quarry(default)]
///     nickname: Option<String>,
/// }
/// let user = User::from_record(&row)?;
/// ```
#[proc_macro_derive(FromRecord, attributes(quarry))]
pub fn derive_from_record(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    from_record::expand(&input)
        .unwrap_or_else(|e| fallback::from_record(&input, &e))
        .into()
}

/// Derives `quarry::query_macro::Choice<N>` for an enum without fields (`N` its number of
/// variants): a value picks the alternative at its variant's position in a `query!` choice
/// fragment (`{:sort => name | created_at DESC}`), and a fragment with another number of
/// alternatives is a compile error.
///
/// ```ignore
/// #[derive(quarry::Choice)]
/// enum Sort { Name, Newest }
/// let sort = Sort::Newest;
/// let rows = quarry::query!("SELECT id FROM users ORDER BY {:sort => name | created_at DESC}")
///     .fetch(&pool).await?;
/// ```
#[proc_macro_derive(Choice)]
pub fn derive_choice(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    choice::expand(&input)
        .unwrap_or_else(|e| e.to_compile_error())
        .into()
}

/// Derives `quarry::copy::CopyRow`: the struct is one row of a binary COPY, its named fields in
/// declaration order (`#[quarry(skip)]` leaves a field out).
///
/// ```ignore
/// #[derive(quarry::CopyRow)]
/// struct Reading { sensor: i32, at: chrono::DateTime<chrono::Utc>, value: f64 }
/// conn.copy_records_to_table("readings", readings, &["sensor", "at", "value"], None).await?;
/// ```
#[proc_macro_derive(CopyRow, attributes(quarry))]
pub fn derive_copy_row(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    copy_row::expand(&input)
        .unwrap_or_else(|e| e.to_compile_error())
        .into()
}

/// Derives `quarry::types::{Type, Encode, Decode}`.
///
/// - An enum of unit variants is a PostgreSQL enum: `#[quarry(type_name = "mood")]` (default: the
///   Rust name in snake_case), `#[quarry(rename = "label")]` on variants, `rename_all` on the enum.
/// - A struct with named fields is a composite type: `type_name`, and `rename`/`rename_all` for
///   its field names.
/// - `#[quarry(transparent)]` on a one-field struct sends and decodes it as the field, also as a
///   domain over the field's type.
///
/// ```ignore
/// #[derive(quarry::Type)]
/// #[quarry(type_name = "mood", rename_all = "lowercase")]
/// enum Mood { Sad, Ok, Happy }
///
/// #[derive(quarry::Type)]
/// #[quarry(transparent)]
/// struct UserId(i64);
/// ```
#[proc_macro_derive(Type, attributes(quarry))]
pub fn derive_type(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    type_derive::expand(&input)
        .unwrap_or_else(|e| fallback::type_(&input, &e))
        .into()
}

/// An async test with a PostgreSQL database of its own, cloned from a template that has the
/// migrations (and fixtures) applied once; dropped when the test passes, kept (and named) when
/// it fails. The test takes a `quarry::Pool`, `quarry::Connection` or `quarry::Config`.
/// Needs the `testing` feature of `quarry` (in `[dev-dependencies]`). Without `DATABASE_URL`, a
/// throwaway server is started once per test binary.
///
/// ```ignore
/// #[quarry::test(migrations = "migrations", fixtures("users"))]
/// async fn counts_users(pool: quarry::Pool) {
///     let n: i64 = pool.fetch_val("SELECT count(*) FROM users", &[]).await.unwrap();
///     assert_eq!(n, 2);
/// }
/// ```
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    test_attr::expand(args.into(), item.into()).into()
}

/// The migrations folder, embedded at compile time into a `quarry::migrate::Migrator`:
/// `migrate!()` reads the folder `quarry.toml`'s `[migrations] path` names (else `migrations`
/// next to `Cargo.toml`), `migrate!("db/migrations")` another one (relative to `Cargo.toml`).
/// A malformed file name, a duplicate version or a file that is not UTF-8 is a compile error
/// naming the file. Editing a file rebuilds the crate; for added files, add a build script
/// with `println!("cargo:rerun-if-changed=migrations");`.
///
/// ```ignore
/// let pool = quarry::create_pool(&url).await?;
/// quarry::migrate!().run(&pool).await?;
/// ```
#[proc_macro]
pub fn migrate(input: TokenStream) -> TokenStream {
    migrate::expand(input.into()).into()
}

/// Runs a query checked at compile time; each row is an anonymous struct with one field per
/// column (nullable columns as `Option<T>`).
///
/// The SQL is described at build time by the database in `DATABASE_URL` (environment or `.env`),
/// or read from the offline cache `.quarry/` (`QUARRY_OFFLINE=true`, or no `DATABASE_URL`).
/// Arguments are checked against the parameter types; `arg as T` asserts the argument is a `T`
/// and skips the check, `arg as _` skips it entirely. Column aliases can override the inferred
/// type: `"col!"` (NOT NULL), `"col?"` (nullable), `"col: Type"`, `"col!: Type"`, `"col?: Type"`.
///
/// ```ignore
/// let user = quarry::query!("SELECT id, name FROM users WHERE id = $1", id)
///     .fetch_one(&mut conn)
///     .await?;
/// println!("{} {:?}", user.id, user.name);
/// ```
#[proc_macro]
pub fn query(input: TokenStream) -> TokenStream {
    query::expand(
        input.into(),
        Form {
            output: Output::Anonymous,
            file: false,
            unchecked: false,
        },
    )
    .into()
}

/// Like [`query!`], each row built as `T` with its `FromRecord` impl, honouring the
/// `#[quarry(...)]` field attributes (rename, flatten, try_from, json, nested, default).
///
/// ```ignore
/// #[derive(quarry::FromRecord)]
/// struct User { id: i32, name: Option<String> }
/// let users = quarry::query_as!(User, "SELECT id, name FROM users").fetch(&mut conn).await?;
/// ```
#[proc_macro]
pub fn query_as(input: TokenStream) -> TokenStream {
    query::expand(
        input.into(),
        Form {
            output: Output::As,
            file: false,
            unchecked: false,
        },
    )
    .into()
}

/// Like [`query!`] for a query returning one column: each row is that column's value.
///
/// ```ignore
/// let n: i64 = quarry::query_scalar!("SELECT count(*) FROM users").fetch_one(&mut conn).await?;
/// ```
#[proc_macro]
pub fn query_scalar(input: TokenStream) -> TokenStream {
    query::expand(
        input.into(),
        Form {
            output: Output::Scalar,
            file: false,
            unchecked: false,
        },
    )
    .into()
}

/// [`query!`] with the SQL read from a file, relative to the crate's `Cargo.toml`.
///
/// ```ignore
/// let rows = quarry::query_file!("queries/users.sql", id).fetch(&mut conn).await?;
/// ```
#[proc_macro]
pub fn query_file(input: TokenStream) -> TokenStream {
    query::expand(
        input.into(),
        Form {
            output: Output::Anonymous,
            file: true,
            unchecked: false,
        },
    )
    .into()
}

/// [`query_as!`] with the SQL read from a file, relative to the crate's `Cargo.toml`.
///
/// ```ignore
/// let users = quarry::query_file_as!(User, "queries/users.sql").fetch(&mut conn).await?;
/// ```
#[proc_macro]
pub fn query_file_as(input: TokenStream) -> TokenStream {
    query::expand(
        input.into(),
        Form {
            output: Output::As,
            file: true,
            unchecked: false,
        },
    )
    .into()
}

/// [`query_scalar!`] with the SQL read from a file, relative to the crate's `Cargo.toml`.
///
/// ```ignore
/// let n = quarry::query_file_scalar!("queries/count.sql").fetch_one(&mut conn).await?;
/// ```
#[proc_macro]
pub fn query_file_scalar(input: TokenStream) -> TokenStream {
    query::expand(
        input.into(),
        Form {
            output: Output::Scalar,
            file: true,
            unchecked: false,
        },
    )
    .into()
}

/// [`query!`] without compile-time checks of argument types (the query is still described, so
/// SQL errors and the number of arguments are still caught).
///
/// ```ignore
/// let rows = quarry::query_unchecked!(...);
/// ```
#[proc_macro]
pub fn query_unchecked(input: TokenStream) -> TokenStream {
    query::expand(
        input.into(),
        Form {
            output: Output::Anonymous,
            file: false,
            unchecked: true,
        },
    )
    .into()
}

/// [`query_as!`] without compile-time checks of argument types (the query is still described, so
/// SQL errors and the number of arguments are still caught).
///
/// ```ignore
/// let rows = quarry::query_as_unchecked!(...);
/// ```
#[proc_macro]
pub fn query_as_unchecked(input: TokenStream) -> TokenStream {
    query::expand(
        input.into(),
        Form {
            output: Output::As,
            file: false,
            unchecked: true,
        },
    )
    .into()
}

/// [`query_scalar!`] without compile-time checks of argument types (the query is still described, so
/// SQL errors and the number of arguments are still caught).
///
/// ```ignore
/// let rows = quarry::query_scalar_unchecked!(...);
/// ```
#[proc_macro]
pub fn query_scalar_unchecked(input: TokenStream) -> TokenStream {
    query::expand(
        input.into(),
        Form {
            output: Output::Scalar,
            file: false,
            unchecked: true,
        },
    )
    .into()
}

/// [`query_file!`] without compile-time checks of argument types (the query is still described, so
/// SQL errors and the number of arguments are still caught).
///
/// ```ignore
/// let rows = quarry::query_file_unchecked!(...);
/// ```
#[proc_macro]
pub fn query_file_unchecked(input: TokenStream) -> TokenStream {
    query::expand(
        input.into(),
        Form {
            output: Output::Anonymous,
            file: true,
            unchecked: true,
        },
    )
    .into()
}

/// [`query_file_as!`] without compile-time checks of argument types (the query is still described, so
/// SQL errors and the number of arguments are still caught).
///
/// ```ignore
/// let rows = quarry::query_file_as_unchecked!(...);
/// ```
#[proc_macro]
pub fn query_file_as_unchecked(input: TokenStream) -> TokenStream {
    query::expand(
        input.into(),
        Form {
            output: Output::As,
            file: true,
            unchecked: true,
        },
    )
    .into()
}

/// [`query_file_scalar!`] without compile-time checks of argument types (the query is still described, so
/// SQL errors and the number of arguments are still caught).
///
/// ```ignore
/// let rows = quarry::query_file_scalar_unchecked!(...);
/// ```
#[proc_macro]
pub fn query_file_scalar_unchecked(input: TokenStream) -> TokenStream {
    query::expand(
        input.into(),
        Form {
            output: Output::Scalar,
            file: true,
            unchecked: true,
        },
    )
    .into()
}
