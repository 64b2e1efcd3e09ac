//! Parsing a `query!`-family invocation: the target type (`query_as!`), the SQL (a literal, or a
//! file path for the `_file` forms), and the arguments with their `as T` / `as _` overrides.

use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Expr, LitStr, Token, Type};

/// What the macro returns per row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Output {
    /// `query!`: an anonymous struct with one field per column.
    Anonymous,
    /// `query_as!(T, ...)`: `T`, built with its `FromRecord` impl.
    As,
    /// `query_scalar!`: the only column's value.
    Scalar,
}

/// Which macro was called.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Form {
    /// The row shape.
    pub(crate) output: Output,
    /// `query_file*!`: the literal is a path relative to the crate's `Cargo.toml`.
    pub(crate) file: bool,
    /// `*_unchecked!`: no type checks on parameters and columns.
    pub(crate) unchecked: bool,
}

/// One argument.
pub(crate) struct Arg {
    /// The expression that is sent.
    pub(crate) expr: Expr,
    /// `arg as T`: the argument must be a `T`, and `T` is not checked against the parameter
    /// type; `arg as _`: no check at all.
    pub(crate) cast: Option<Type>,
}

/// A parsed invocation.
pub(crate) struct Input {
    /// `query_as!`'s target type.
    pub(crate) target: Option<Type>,
    /// The SQL literal, or the file path literal.
    pub(crate) lit: LitStr,
    /// The arguments, in order.
    pub(crate) args: Vec<Arg>,
}

impl Input {
    /// Parses the tokens of a `form` invocation.
    pub(crate) fn parse(tokens: proc_macro2::TokenStream, form: Form) -> syn::Result<Input> {
        let parser = move |input: ParseStream<'_>| parse_input(input, form);
        syn::parse::Parser::parse2(parser, tokens)
    }

    /// The span of the SQL (or path) literal.
    pub(crate) fn span(&self) -> Span {
        self.lit.span()
    }
}

fn parse_input(input: ParseStream<'_>, form: Form) -> syn::Result<Input> {
    let target = if form.output == Output::As {
        let ty: Type = input.parse()?;
        input.parse::<Token![,]>()?;
        Some(ty)
    } else {
        None
    };
    let lit: LitStr = input.parse().map_err(|e| {
        syn::Error::new(
            e.span(),
            if form.file {
                "expected the path of a SQL file as a string literal"
            } else {
                "expected the SQL as a string literal"
            },
        )
    })?;
    let mut args = Vec::new();
    if input.parse::<Option<Token![,]>>()?.is_some() {
        let exprs = Punctuated::<Expr, Token![,]>::parse_terminated(input)?;
        args = exprs.into_iter().map(split_cast).collect();
    }
    Ok(Input { target, lit, args })
}

/// `x as T` becomes an argument `x` with the override `T` (the macros never cast).
pub(crate) fn split_cast(expr: Expr) -> Arg {
    match expr {
        Expr::Cast(cast) => Arg {
            expr: *cast.expr,
            cast: Some(*cast.ty),
        },
        expr => Arg { expr, cast: None },
    }
}

impl Parse for Arg {
    fn parse(input: ParseStream<'_>) -> syn::Result<Arg> {
        Ok(split_cast(input.parse()?))
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    const QUERY: Form = Form {
        output: Output::Anonymous,
        file: false,
        unchecked: false,
    };

    #[test]
    fn parses_sql_and_arguments() {
        let input = Input::parse(quote!("SELECT $1, $2", id, name as &str,), QUERY).unwrap();
        assert_eq!(input.lit.value(), "SELECT $1, $2");
        assert_eq!(input.args.len(), 2);
        assert!(input.args[0].cast.is_none());
        assert!(input.args[1].cast.is_some());
        assert!(input.target.is_none());
    }

    #[test]
    fn parses_query_as_target() {
        let form = Form {
            output: Output::As,
            ..QUERY
        };
        let input = Input::parse(quote!(User, "SELECT 1"), form).unwrap();
        assert!(input.target.is_some());
        assert!(input.args.is_empty());
    }

    #[test]
    fn rejects_non_literal_sql() {
        let err = Input::parse(quote!(sql, 1), QUERY).err().unwrap();
        assert!(err.to_string().contains("string literal"));
    }
}
