//! `#[quarry::test]`: an async test with a database of its own, cloned from a template that has
//! the migrations and fixtures applied once (see `quarry::testing`).
//!
//! Arguments: `migrations = "path"` (relative to `Cargo.toml`; default: the folder
//! `quarry::migrate!()` would embed, when it exists) or `migrations = false`;
//! `fixtures("users", "posts")` (files `tests/fixtures/<name>.sql`, or paths ending in `.sql`
//! relative to `Cargo.toml`), applied in order after the migrations. The test takes a
//! `quarry::Pool`, a `quarry::Connection` or a `quarry::Config`, and returns `()` or a `Result`.

use std::path::PathBuf;

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Expr, ItemFn, Lit, LitStr, Meta, Token};

/// Expands `#[quarry::test(...)]` on `item`.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    match expand_inner(args, item) {
        Ok(tokens) => tokens,
        Err(e) => e.to_compile_error(),
    }
}

/// Where the migrations come from.
enum Migrations {
    Default,
    Path(LitStr),
    None,
}

fn expand_inner(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let function: ItemFn = syn::parse2(item)?;
    if function.sig.asyncness.is_none() {
        return Err(syn::Error::new_spanned(
            function.sig.fn_token,
            "#[quarry::test] needs an `async fn`",
        ));
    }
    let metas = Punctuated::<Meta, Token![,]>::parse_terminated.parse2(args)?;
    let mut migrations = Migrations::Default;
    let mut fixtures: Vec<LitStr> = Vec::new();
    for meta in metas {
        match &meta {
            Meta::NameValue(nv) if nv.path.is_ident("migrations") => {
                migrations = match &nv.value {
                    Expr::Lit(lit) => match &lit.lit {
                        Lit::Str(path) => Migrations::Path(path.clone()),
                        Lit::Bool(b) if !b.value => Migrations::None,
                        other => {
                            return Err(syn::Error::new_spanned(
                                other,
                                "expected `migrations = \"path\"` or `migrations = false`",
                            ));
                        }
                    },
                    other => {
                        return Err(syn::Error::new_spanned(
                            other,
                            "expected `migrations = \"path\"` or `migrations = false`",
                        ));
                    }
                }
            }
            Meta::List(list) if list.path.is_ident("fixtures") => {
                let names = Punctuated::<LitStr, Token![,]>::parse_terminated
                    .parse2(list.tokens.clone())?;
                fixtures.extend(names);
            }
            other => {
                return Err(syn::Error::new_spanned(
                    other,
                    "unknown #[quarry::test] argument: expected `migrations = ...` or `fixtures(...)`",
                ));
            }
        }
    }
    let crate_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .ok_or_else(|| syn::Error::new(Span::call_site(), "CARGO_MANIFEST_DIR is not set"))?;
    let migrator = match migrations {
        Migrations::None => quote!(::core::option::Option::None),
        Migrations::Path(path) => {
            let embedded = crate::migrate::expand(path.to_token_stream());
            quote!(::core::option::Option::Some(#embedded))
        }
        Migrations::Default => {
            if quarry_driver::migrate::dir_for(&crate_dir).is_dir() {
                let embedded = crate::migrate::expand(TokenStream::new());
                quote!(::core::option::Option::Some(#embedded))
            } else {
                quote!(::core::option::Option::None)
            }
        }
    };
    let mut fixture_entries = Vec::new();
    for fixture in &fixtures {
        let value = fixture.value();
        let path = if value.ends_with(".sql") {
            crate_dir.join(&value)
        } else {
            crate_dir
                .join("tests")
                .join("fixtures")
                .join(format!("{value}.sql"))
        };
        if !path.is_file() {
            return Err(syn::Error::new(
                fixture.span(),
                format!("fixture {value:?}: no file {}", path.display()),
            ));
        }
        let path = path.to_string_lossy().into_owned();
        fixture_entries.push(quote!((#value, include_str!(#path))));
    }

    let attrs = &function.attrs;
    let should_panic = attrs.iter().any(|a| a.path().is_ident("should_panic"));
    let vis = &function.vis;
    let name = &function.sig.ident;
    let inputs = &function.sig.inputs;
    let output = &function.sig.output;
    let body = &function.block;
    let arg_type = match inputs.len() {
        0 => None,
        1 => match inputs.first() {
            Some(syn::FnArg::Typed(typed)) => Some(typed.ty.clone()),
            _ => None,
        },
        _ => None,
    };
    let (arg_type, call) = match (&arg_type, inputs.len()) {
        (Some(ty), _) => (quote!(#ty), quote!(__quarry_test_body(__arg))),
        (None, 0) => (
            quote!(::quarry::Config),
            quote!({
                let _ = __arg;
                __quarry_test_body()
            }),
        ),
        (None, _) => {
            return Err(syn::Error::new_spanned(
                inputs,
                "a #[quarry::test] takes one argument: a quarry::Pool, a quarry::Connection or a quarry::Config",
            ));
        }
    };
    Ok(quote! {
        #[::core::prelude::v1::test]
        #(#attrs)*
        #vis fn #name() {
            async fn __quarry_test_body(#inputs) #output #body
            ::quarry::testing::run_test(
                ::quarry::testing::TestSpec {
                    path: ::core::concat!(::core::module_path!(), "::", ::core::stringify!(#name)),
                    migrator: #migrator,
                    fixtures: &[#(#fixture_entries),*],
                    should_panic: #should_panic,
                },
                |__arg: #arg_type| async move { #call.await },
            );
        }
    })
}
