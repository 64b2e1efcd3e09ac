//! `migrate!()`: the migrations folder embedded at compile time. The files are read and checked
//! here (names, duplicates, UTF-8, down files), so a bad folder is a compile error naming the
//! file; each one is also `include_str!`-ed, so editing it rebuilds the crate. A file added to
//! the folder is only seen when the crate is rebuilt: a build script with
//! `println!("cargo:rerun-if-changed=migrations");` makes that automatic.

use std::path::PathBuf;

use proc_macro2::TokenStream;
use quarry_driver::migrate::Migrator;
use quote::quote;
use syn::LitStr;

/// Expands `migrate!()` or `migrate!("path")` (relative to the crate's `Cargo.toml`).
pub(crate) fn expand(input: TokenStream) -> TokenStream {
    match expand_inner(input) {
        Ok(tokens) => tokens,
        Err(e) => e.to_compile_error(),
    }
}

fn expand_inner(input: TokenStream) -> syn::Result<TokenStream> {
    let span = proc_macro2::Span::call_site();
    let relative = if input.is_empty() {
        None
    } else {
        Some(syn::parse2::<LitStr>(input)?)
    };
    let crate_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .ok_or_else(|| syn::Error::new(span, "CARGO_MANIFEST_DIR is not set"))?;
    let dir = match &relative {
        Some(path) => crate_dir.join(path.value()),
        None => quarry_driver::migrate::dir_for(&crate_dir),
    };
    let error_span = relative.as_ref().map_or(span, LitStr::span);
    let migrator = Migrator::from_dir(&dir)
        .map_err(|e| syn::Error::new(error_span, format!("migrate!(): {e}")))?;
    let entries = migrator.migrations().iter().map(|m| {
        let path = |file: &str| dir.join(file).to_string_lossy().into_owned();
        let up_path = path(m.file());
        let version = match m.version() {
            Some(v) => quote!(::core::option::Option::Some(#v)),
            None => quote!(::core::option::Option::None),
        };
        let (name, file, sql) = (m.name(), m.file(), m.sql());
        let down = match m.down() {
            Some((down_file, down_sql)) => {
                let down_path = path(down_file);
                quote!(::core::option::Option::Some((#down_file, {
                    const _: &str = include_str!(#down_path);
                    #down_sql
                })))
            }
            None => quote!(::core::option::Option::None),
        };
        let checksum = m.checksum().iter();
        let no_transaction = m.runs_outside_a_transaction();
        quote! {
            ::quarry::migrate::EmbeddedMigration {
                version: #version,
                name: #name,
                file: #file,
                // Tracks the file: editing it re-runs this macro.
                sql: { const _: &str = include_str!(#up_path); #sql },
                down: #down,
                checksum: [#(#checksum),*],
                no_transaction: #no_transaction,
            }
        }
    });
    Ok(quote! {
        ::quarry::migrate::Migrator::embedded(&[#(#entries),*])
    })
}
