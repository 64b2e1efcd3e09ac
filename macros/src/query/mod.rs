//! The `query!` macro family: parse the invocation ([`input`]), read the settings ([`config`]),
//! describe the query live or offline ([`source`]), and generate the checked expression
//! ([`expand`]) with PostgreSQL types mapped to Rust ([`types`]) and column overrides
//! ([`columns`]). Build-time failures are compile errors at the SQL literal ([`errors`]).

mod columns;
mod config;
mod errors;
mod expand;
mod input;
mod named;
mod nested;
mod source;
mod types;
mod variants;

use proc_macro2::TokenStream;

pub(crate) use input::{Form, Output};

use config::Config;
use input::Input;

/// Expands one invocation of the macro `form`; every failure is a `compile_error!`.
pub(crate) fn expand(tokens: TokenStream, form: Form) -> TokenStream {
    match try_expand(tokens, form) {
        Ok(tokens) => tokens,
        Err(e) => e.to_compile_error(),
    }
}

fn try_expand(tokens: TokenStream, form: Form) -> syn::Result<TokenStream> {
    let mut input = Input::parse(tokens, form)?;
    let span = input.span();
    let config = Config::from_env();
    if let Some(problem) = config.problems.first() {
        return Err(syn::Error::new(span, problem));
    }
    let mut tracked = Vec::new();
    let sql = if form.file {
        let path = config.crate_dir.join(input.lit.value());
        let sql = std::fs::read_to_string(&path).map_err(|e| {
            syn::Error::new(span, format!("could not read {}: {e}", path.display()))
        })?;
        tracked.push(path.display().to_string());
        sql
    } else {
        input.lit.value()
    };
    let mut bound = named::bind_fragments(&sql, std::mem::take(&mut input.args), span)?;
    input.args = std::mem::take(&mut bound.args);
    if let Some(dynamic) = &bound.dynamic {
        let mut descriptions = Vec::with_capacity(dynamic.variants.len());
        for (variant, _) in &dynamic.variants {
            let described =
                source::describe(&config, variant).map_err(|e| syn::Error::new(span, e))?;
            if let Some(file) = &described.file {
                tracked.push(file.display().to_string());
            }
            descriptions.push(described.description);
        }
        let description = variants::merge(&bound.sql, dynamic, &descriptions, input.args.len())
            .map_err(|e| syn::Error::new(span, e))?;
        let cx = expand::Context {
            config: &config,
            description: &description,
            tracked,
            variants: Some(dynamic),
        };
        return expand::expand(&input, form, &cx);
    }
    let sql = if bound.spread.is_some() {
        // `VALUES :rows(..)`: the probe (`VALUES ($1, ...)`) tells each field's type.
        let probe = source::describe(&config, &bound.sql).map_err(|e| syn::Error::new(span, e))?;
        if let Some(file) = &probe.file {
            tracked.push(file.display().to_string());
        }
        bound
            .finish(&probe.description)
            .map_err(|e| syn::Error::new(span, e))?
    } else {
        bound.sql
    };
    let described = source::describe(&config, &sql).map_err(|e| syn::Error::new(span, e))?;
    if let Some(file) = &described.file {
        tracked.push(file.display().to_string());
    }
    let cx = expand::Context {
        config: &config,
        description: &described.description,
        tracked,
        variants: None,
    };
    expand::expand(&input, form, &cx)
}
