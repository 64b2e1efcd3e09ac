//! Named parameters: `:name` in the SQL, bound by a `name = expr` argument or, like `format!`,
//! by the variable `name` in scope. The SQL is rewritten to `$1, $2, ...` (numbered in order of
//! first use; a name used twice binds once) before it is described, so everything after this
//! point (description, checks, offline cache) sees an ordinary positional query.
//!
//! `IN (:name)` and `NOT IN (:name)` become `= ANY($n)` and `<> ALL($n)` (the same meaning,
//! NULLs included), so a slice or `Vec` binds the whole list. The lexer knows string literals
//! (`'..'`, `E'..'` with backslash escapes), quoted identifiers, comments (`--`, nested `/* */`),
//! dollar-quoted bodies, `::` casts and `:=`: none of them is taken for a parameter. A `:` right
//! after an identifier, a number, `]` or `)` is not either (`arr[lo:hi]`).

use std::collections::HashMap;

use proc_macro2::Span;
use syn::{Expr, ExprPath, Ident};

use super::input::Arg;

/// A `:name` found in the SQL.
#[derive(Debug, PartialEq, Eq)]
struct Use<'s> {
    name: &'s str,
    /// Byte range to replace: the `:name`, the whole `IN (:name)`, or `VALUES :name(..)`.
    start: usize,
    end: usize,
    kind: UseKind<'s>,
}

#[derive(Debug, PartialEq, Eq)]
enum UseKind<'s> {
    /// `$n`.
    Plain,
    /// `IN (:name)` → `= ANY($n)`; `NOT IN (:name)` → `<> ALL($n)`.
    List(&'static str),
    /// `VALUES :name(field, ...)`: the rows of a slice, one parameter (an array) per field.
    Rows(Vec<&'s str>),
}

/// The rows of a `VALUES :rows(a, b)` spread, once the SQL is written with plain parameters
/// (`VALUES ($1, $2)`) to learn their types: [`Bound::finish`] then writes
/// `SELECT * FROM UNNEST($1::t1[], $2::t2[])` in their place.
pub(crate) struct Spread {
    /// Byte range of `VALUES ($1, $2)` in [`Bound::sql`].
    start: usize,
    end: usize,
    /// The parameter numbers, one per field.
    params: Vec<usize>,
    /// The spread's name and fields, for errors.
    name: String,
    fields: Vec<String>,
}

/// The SQL with positional parameters and the arguments in their order.
pub(crate) struct Bound {
    /// With a spread, the probe form (`VALUES ($1, $2)`), to be described first; with optional
    /// fragments, every fragment in.
    pub(crate) sql: String,
    pub(crate) args: Vec<Arg>,
    pub(crate) spread: Option<Spread>,
    /// Optional fragments (`{ AND name = :name }`): their parameters and every variant.
    pub(crate) dynamic: Option<Dynamic>,
}

/// The most fragments a query may have, and the most variants they may make: each is
/// described at build time.
pub(crate) const MAX_FRAGMENTS: usize = 6;
const MAX_VARIANTS: usize = 64;

/// One fragment of a query with fragments.
pub(crate) enum FragmentKind {
    /// `{ ... }`: left out when one of these parameters (indexes in [`Bound::args`]) is NULL.
    Optional(Vec<usize>),
    /// `{:name => a | b | c}`: one alternative, picked by the value of `choice`.
    Choice {
        /// The name, for errors.
        name: String,
        /// The value that picks (an argument `name = ...` or the variable `name`).
        choice: Expr,
        /// The number of alternatives.
        count: usize,
    },
}

/// A query with fragments.
pub(crate) struct Dynamic {
    /// The fragments in order.
    pub(crate) fragments: Vec<FragmentKind>,
    /// For each combination (fragment `i`'s state is digit `i`, mixed radix, fragment 0
    /// fastest), its SQL and the indexes (in [`Bound::args`]) of its `$1`, `$2`, ...
    pub(crate) variants: Vec<(String, Vec<usize>)>,
}

/// A fragment as written.
enum Written<'s> {
    Optional(&'s str),
    Choice {
        name: &'s str,
        alternatives: Vec<&'s str>,
    },
}

impl Written<'_> {
    fn states(&self) -> usize {
        match self {
            Written::Optional(_) => 2,
            Written::Choice { alternatives, .. } => alternatives.len(),
        }
    }

    /// The text for `state`.
    fn text(&self, state: usize) -> &str {
        match self {
            Written::Optional(inside) if state == 1 => inside,
            // A space where the fragment was: its neighbours must not join (`-{..}-` is no
            // `--` comment).
            Written::Optional(_) => " ",
            Written::Choice { alternatives, .. } => alternatives.get(state).copied().unwrap_or(""),
        }
    }
}

/// `{:name => a | b}` → the choice's name and alternatives (split at `|`, not `||`).
fn choice(inside: &str) -> Option<(&str, Vec<&str>)> {
    let rest = inside.trim_start().strip_prefix(':')?;
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let (name, rest) = rest.split_at(end);
    let rest = rest.trim_start().strip_prefix("=>")?;
    let bytes = rest.as_bytes();
    let mut alternatives = Vec::new();
    let mut start = 0;
    for i in 0..bytes.len() {
        let lone =
            bytes[i] == b'|' && bytes.get(i + 1) != Some(&b'|') && (i == 0 || bytes[i - 1] != b'|');
        if lone {
            alternatives.push(rest[start..i].trim());
            start = i + 1;
        }
    }
    alternatives.push(rest[start..].trim());
    (!name.is_empty()).then_some((name, alternatives))
}

/// [`bind`], and fragments in braces (outside literals and comments), each described in every
/// combination at build time:
/// - `{ AND name = :name }` is left out at run time when a parameter in it is NULL (`None`);
/// - `{:sort => name | created_at DESC}` is one of its alternatives, picked by the value of
///   `sort` (a [`Choice`](::quarry::query_macro::Choice): an enum deriving it, or a `usize`).
pub(crate) fn bind_fragments(sql: &str, mut args: Vec<Arg>, span: Span) -> syn::Result<Bound> {
    let found = scan(sql);
    if found.braces.is_empty() {
        return bind(sql, args, span);
    }
    let bytes = sql.as_bytes();
    let mut ranges = Vec::new();
    for pair in found.braces.chunks(2) {
        match pair {
            [open, close] if bytes[*open] == b'{' && bytes[*close] == b'}' => {
                ranges.push((*open, *close));
            }
            _ => {
                return Err(syn::Error::new(
                    span,
                    "unbalanced `{` `}`: a fragment is `{ ... }` or `{:name => a | b}`, and fragments do not nest",
                ));
            }
        }
    }
    let written: Vec<Written<'_>> = ranges
        .iter()
        .map(|&(open, close)| {
            let inside = &sql[open + 1..close];
            match choice(inside) {
                Some((name, alternatives)) => Written::Choice { name, alternatives },
                None => Written::Optional(inside),
            }
        })
        .collect();
    let total = written.iter().try_fold(1usize, |n, w| {
        n.checked_mul(w.states()).filter(|&n| n <= MAX_VARIANTS)
    });
    if written.len() > MAX_FRAGMENTS || total.is_none() {
        let count: u128 = written.iter().map(|w| w.states() as u128).product();
        return Err(syn::Error::new(
            span,
            format!(
                "{} fragments make {count} variants to check; at most {MAX_FRAGMENTS} fragments \
                 and {MAX_VARIANTS} variants are allowed",
                written.len()
            ),
        ));
    }
    let total = total.unwrap_or(1);
    let digits = |mut index: usize| -> Vec<usize> {
        written
            .iter()
            .map(|w| {
                let digit = index % w.states();
                index /= w.states();
                digit
            })
            .collect()
    };
    let variant_text = |states: &[usize]| {
        let mut text = String::with_capacity(sql.len());
        let mut at = 0;
        for ((open, close), (w, &state)) in ranges.iter().zip(written.iter().zip(states)) {
            text.push_str(&sql[at..*open]);
            text.push_str(w.text(state));
            at = close + 1;
        }
        text.push_str(&sql[at..]);
        text
    };
    // The choices' values are no SQL parameters: their arguments are taken out first.
    let mut choices = Vec::new();
    for w in &written {
        let Written::Choice { name, alternatives } = w else {
            continue;
        };
        if alternatives.len() < 2 || alternatives.iter().any(|a| a.is_empty()) {
            return Err(syn::Error::new(
                span,
                format!(
                    "the choice `{{:{name} => ...}}` needs two alternatives or more, none empty, separated by `|`"
                ),
            ));
        }
        if alternatives.iter().any(|a| !scan(a).uses.is_empty()) {
            return Err(syn::Error::new(
                span,
                format!("the alternatives of `{{:{name} => ...}}` take no `:name` parameters"),
            ));
        }
        let given = args.iter().position(|arg| match &arg.expr {
            Expr::Assign(assign) => {
                matches!(&*assign.left, Expr::Path(p) if p.path.is_ident(name))
            }
            _ => false,
        });
        let expr = match given {
            Some(at) => match args.remove(at).expr {
                Expr::Assign(assign) => *assign.right,
                other => other,
            },
            None => {
                let ident: Ident = syn::parse_str(name).map_err(|_| {
                    syn::Error::new(span, format!("`{name}` cannot name a Rust variable"))
                })?;
                let ident = Ident::new(&ident.to_string(), span);
                syn::parse_quote!(#ident)
            }
        };
        choices.push(((*name).to_owned(), expr, alternatives.len()));
    }
    // Every optional fragment in, every choice at its first alternative: the arguments and
    // their order (numbered by first use).
    let full_states: Vec<usize> = written
        .iter()
        .map(|w| usize::from(matches!(w, Written::Optional(_))))
        .collect();
    let full = bind(&variant_text(&full_states), args, span)?;
    if full.spread.is_some() {
        return Err(syn::Error::new(
            span,
            "`VALUES :rows(..)` cannot be combined with fragments",
        ));
    }
    let names = |bound: &Bound| -> Vec<String> {
        bound
            .args
            .iter()
            .map(|arg| match &arg.expr {
                Expr::Path(path) => path
                    .path
                    .get_ident()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                _ => String::new(),
            })
            .collect()
    };
    // The parameters' names in order: the same rewrite with every name left to bind itself.
    let order = names(&bind(&variant_text(&full_states), Vec::new(), span)?);
    let index_of = |name: &str| order.iter().position(|n| n == name);
    let mut fragments = Vec::with_capacity(written.len());
    let mut choices = choices.into_iter();
    for w in &written {
        match w {
            Written::Optional(inside) => {
                let params: Vec<usize> = scan(inside)
                    .uses
                    .iter()
                    .filter_map(|used| index_of(used.name))
                    .collect();
                if params.is_empty() {
                    return Err(syn::Error::new(
                        span,
                        format!(
                            "the optional fragment `{{{}}}` has no `:name` parameter to decide whether it is in",
                            inside.trim()
                        ),
                    ));
                }
                fragments.push(FragmentKind::Optional(params));
            }
            Written::Choice { .. } => {
                if let Some((name, choice, count)) = choices.next() {
                    fragments.push(FragmentKind::Choice {
                        name,
                        choice,
                        count,
                    });
                }
            }
        }
    }
    let mut variants = Vec::with_capacity(total);
    for index in 0..total {
        let bound = bind(&variant_text(&digits(index)), Vec::new(), span)?;
        let params = names(&bound)
            .iter()
            .map(|name| index_of(name).unwrap_or(usize::MAX))
            .collect();
        variants.push((bound.sql, params));
    }
    Ok(Bound {
        dynamic: Some(Dynamic {
            fragments,
            variants,
        }),
        ..full
    })
}

/// What the lexer found.
#[derive(Debug, Default)]
struct Scan<'s> {
    uses: Vec<Use<'s>>,
    /// A `$1`-style parameter is there too.
    positional: bool,
    /// Byte ranges of the comments seen so far (a keyword inside one is no keyword).
    comments: Vec<(usize, usize)>,
    /// Positions of `{` and `}` outside literals and comments: fragments.
    braces: Vec<usize>,
}

/// Rewrites `sql`'s named parameters to positional ones and orders the arguments to match.
/// Without `:name` in the SQL, the SQL and the arguments are returned as they are (a `name =`
/// argument is then an error).
pub(crate) fn bind(sql: &str, args: Vec<Arg>, span: Span) -> syn::Result<Bound> {
    let (named, positional) = split_named(args)?;
    let scan = scan(sql);
    if scan.uses.is_empty() {
        if let Some((name, _)) = named.first() {
            return Err(syn::Error::new(
                name.span(),
                format!("`{name} = ...` names a parameter, but the query has no `:{name}`"),
            ));
        }
        return Ok(Bound {
            sql: sql.to_owned(),
            args: positional,
            spread: None,
            dynamic: None,
        });
    }
    if scan.positional {
        return Err(syn::Error::new(
            span,
            "the query mixes `$n` and `:name` parameters: use one kind",
        ));
    }
    if let Some(arg) = positional.first() {
        return Err(syn::Error::new(
            syn::spanned::Spanned::span(&arg.expr),
            "the query uses `:name` parameters: bind them as `name = value` (or by a variable \
             of that name in scope), not by position",
        ));
    }
    let mut named: Vec<(Ident, Option<Arg>)> =
        named.into_iter().map(|(n, a)| (n, Some(a))).collect();
    let mut numbers: HashMap<&str, usize> = HashMap::new();
    let mut ordered = Vec::new();
    let mut out = String::with_capacity(sql.len());
    let mut copied = 0;
    let mut spread = None;
    for used in &scan.uses {
        out.push_str(&sql[copied..used.start]);
        copied = used.end;
        if let UseKind::Rows(fields) = &used.kind {
            if spread.is_some() || numbers.contains_key(used.name) {
                return Err(syn::Error::new(
                    span,
                    format!(
                        "`:{}` is spread over rows (`VALUES :{}(..)`), so it can be used only once, and a query holds one such spread",
                        used.name, used.name
                    ),
                ));
            }
            let rows = argument_for(used.name, &mut named, span)?;
            if !is_place(&rows.expr) {
                // Each field's argument reads the rows: a call or a `drain` would run once per
                // field, each field from another batch.
                return Err(syn::Error::new(
                    syn::spanned::Spanned::span(&rows.expr),
                    format!(
                        "`{}` must name the rows (a variable or a field, `&rows`): bind the \
                         expression to a variable first, it is read once per field",
                        used.name
                    ),
                ));
            }
            let start = out.len();
            let mut params = Vec::new();
            out.push_str("VALUES (");
            for (k, field) in fields.iter().enumerate() {
                let n = ordered.len() + 1;
                ordered.push(column_of(&rows, field, span)?);
                params.push(n);
                if k > 0 {
                    out.push_str(", ");
                }
                out.push_str(&format!("${n}"));
            }
            out.push(')');
            // The name is taken: a plain `:name` elsewhere would bind the rows as one value.
            numbers.insert(used.name, 0);
            spread = Some(Spread {
                start,
                end: out.len(),
                params,
                name: used.name.to_owned(),
                fields: fields.iter().map(|f| (*f).to_owned()).collect(),
            });
            continue;
        }
        let next = ordered.len() + 1;
        let n = *numbers.entry(used.name).or_insert(next);
        if n == 0 {
            return Err(syn::Error::new(
                span,
                format!(
                    "`:{}` is spread over rows (`VALUES :{}(..)`), so it can be used only once",
                    used.name, used.name
                ),
            ));
        }
        if n == next {
            ordered.push(argument_for(used.name, &mut named, span)?);
        }
        match used.kind {
            UseKind::List(op) => out.push_str(&format!("{op}(${n})")),
            _ => out.push_str(&format!("${n}")),
        }
    }
    out.push_str(&sql[copied..]);
    if let Some((name, _)) = named.iter().find(|(_, arg)| arg.is_some()) {
        return Err(syn::Error::new(
            name.span(),
            format!("`{name}` is bound but the query never uses `:{name}`"),
        ));
    }
    Ok(Bound {
        sql: out,
        args: ordered,
        spread,
        dynamic: None,
    })
}

impl Bound {
    /// The final SQL: with a spread, `VALUES ($1, $2)` becomes `SELECT * FROM
    /// UNNEST($1::t1[], $2::t2[])`, each parameter an array of the type the probe found for it.
    pub(crate) fn finish(
        &self,
        probe: &quarry_describe::QueryDescription,
    ) -> Result<String, String> {
        let Some(spread) = &self.spread else {
            return Ok(self.sql.clone());
        };
        let mut casts = Vec::with_capacity(spread.params.len());
        for (n, field) in spread.params.iter().zip(&spread.fields) {
            let ty = probe
                .parameters
                .get(n - 1)
                .map(|param| &param.ty)
                .ok_or_else(|| {
                    format!(
                        "the query does not use the field `{field}` of `:{}`",
                        spread.name
                    )
                })?;
            let carried = match ty.kind {
                quarry_describe::TypeKind::Array { .. } => {
                    Some("an array column, which UNNEST would flatten")
                }
                quarry_describe::TypeKind::Composite { .. } => {
                    Some("a composite column, which UNNEST would expand into its fields")
                }
                _ => None,
            };
            if let Some(why) = carried {
                return Err(format!(
                    "the field `{field}` of `:{}` goes into {why}: insert those rows with `execute_many` or COPY",
                    spread.name
                ));
            }
            casts.push(format!(
                "${n}::{}.{}[]",
                quote_ident(&ty.schema),
                quote_ident(&ty.name)
            ));
        }
        Ok(format!(
            "{}SELECT * FROM UNNEST({}){}",
            &self.sql[..spread.start],
            casts.join(", "),
            &self.sql[spread.end..]
        ))
    }
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Whether `expr` names a place (a variable, a field, a reference to one): evaluating it has
/// no effect, so each field's argument may read it again.
fn is_place(expr: &Expr) -> bool {
    match expr {
        Expr::Path(_) => true,
        Expr::Field(field) => is_place(&field.base),
        Expr::Reference(reference) => is_place(&reference.expr),
        Expr::Paren(paren) => is_place(&paren.expr),
        Expr::Group(group) => is_place(&group.expr),
        _ => false,
    }
}

/// The argument for one field of a spread: the field of every row, collected into a `Vec`.
fn column_of(rows: &Arg, field: &str, span: Span) -> syn::Result<Arg> {
    let member: syn::Member = syn::parse_str(field)
        .map_err(|_| syn::Error::new(span, format!("`{field}` is not a field name or index")))?;
    let member = match member {
        syn::Member::Named(ident) => syn::Member::Named(Ident::new(&ident.to_string(), span)),
        syn::Member::Unnamed(index) => syn::Member::Unnamed(syn::Index {
            index: index.index,
            span,
        }),
    };
    let rows = &rows.expr;
    let expr: Expr = syn::parse_quote_spanned! {span=>
        ::core::iter::Iterator::collect::<::std::vec::Vec<_>>(
            ::core::iter::Iterator::map(
                ::quarry::query_macro::rows(&(#rows)).iter(),
                |__quarry_row| &__quarry_row.#member,
            )
        )
    };
    Ok(Arg { expr, cast: None })
}

/// `name = expr` arguments (with their `as T` override) apart from positional ones.
/// The `name = value` arguments, in the order given.
type Named = Vec<(Ident, Arg)>;

fn split_named(args: Vec<Arg>) -> syn::Result<(Named, Vec<Arg>)> {
    let mut named: Named = Vec::new();
    let mut positional = Vec::new();
    for arg in args {
        let Expr::Assign(assign) = arg.expr else {
            positional.push(arg);
            continue;
        };
        let name = match &*assign.left {
            Expr::Path(path) if path.qself.is_none() => path.path.get_ident().cloned(),
            _ => None,
        };
        let Some(name) = name else {
            return Err(syn::Error::new_spanned(
                &assign.left,
                "a named argument is `name = value`, with a plain name",
            ));
        };
        if named.iter().any(|(n, _)| *n == name) {
            return Err(syn::Error::new(
                name.span(),
                format!("`{name}` is bound twice"),
            ));
        }
        // `name = value as T`: the override belongs to the value.
        let bound = super::input::split_cast(*assign.right);
        let cast = arg.cast.or(bound.cast);
        named.push((
            name,
            Arg {
                expr: bound.expr,
                cast,
            },
        ));
    }
    Ok((named, positional))
}

/// The argument for `:name`: the `name = ...` one, or the variable `name` in scope.
fn argument_for(name: &str, named: &mut [(Ident, Option<Arg>)], span: Span) -> syn::Result<Arg> {
    if let Some((_, arg)) = named.iter_mut().find(|(n, _)| n == name)
        && let Some(arg) = arg.take()
    {
        return Ok(arg);
    }
    let ident: Ident = syn::parse_str(name).map_err(|_| {
        syn::Error::new(
            span,
            format!("`:{name}` cannot name a Rust variable (`{name}` is a keyword): rename the parameter"),
        )
    })?;
    // Spanned at the SQL literal: an unbound name is rustc's "cannot find value `name`" there.
    let ident = Ident::new(&ident.to_string(), span);
    Ok(Arg {
        expr: Expr::Path(ExprPath {
            attrs: Vec::new(),
            qself: None,
            path: ident.into(),
        }),
        cast: None,
    })
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_ident_char(b: u8) -> bool {
    is_ident_start(b) || b.is_ascii_digit() || b == b'$'
}

/// Finds the `:name` uses and whether `$n` appears, outside literals, comments and bodies.
fn scan(sql: &str) -> Scan<'_> {
    let bytes = sql.as_bytes();
    let mut found = Scan::default();
    let mut i = 0;
    // Inside `[...]`: a `:` after a value is a slice bound, spaces or not (`a[lo :hi]`).
    let mut brackets = 0usize;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'[' => {
                brackets += 1;
                i += 1;
            }
            b'{' | b'}' => {
                found.braces.push(i);
                i += 1;
            }
            b']' => {
                brackets = brackets.saturating_sub(1);
                i += 1;
            }
            b'\'' => {
                let escapes = i > 0
                    && matches!(bytes[i - 1], b'E' | b'e')
                    && (i < 2 || !is_ident_char(bytes[i - 2]));
                i = skip_quoted(bytes, i + 1, b'\'', escapes);
            }
            b'"' => i = skip_quoted(bytes, i + 1, b'"', false),
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                let end = bytes[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(bytes.len(), |p| i + p + 1);
                found.comments.push((i, end));
                i = end;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = skip_block_comment(bytes, i + 2);
                found.comments.push((i, end));
                i = end;
            }
            b'$' => {
                if bytes.get(i + 1).is_some_and(u8::is_ascii_digit)
                    && (i == 0 || !is_ident_char(bytes[i - 1]))
                {
                    found.positional = true;
                    i += 1;
                } else if i == 0 || !is_ident_char(bytes[i - 1]) {
                    i = skip_dollar_quoted(bytes, i);
                } else {
                    i += 1;
                }
            }
            b':' => {
                let next = bytes.get(i + 1).copied();
                if matches!(next, Some(b':' | b'=')) {
                    i += 2;
                    continue;
                }
                let after_value = previous_significant(bytes, i)
                    .is_some_and(|p| is_ident_char(p) || p == b']' || p == b')');
                // A `:` right after a value is a slice bound (`a[1:n]`), not a parameter;
                // outside brackets, only when glued to it (`THEN :x` is a parameter).
                let glued = i > 0 && !bytes[i - 1].is_ascii_whitespace();
                let slice = after_value && (glued || brackets > 0);
                if next.is_some_and(is_ident_start) && !slice {
                    let start = i + 1;
                    let mut end = start;
                    while end < bytes.len() && is_ident_char(bytes[end]) && bytes[end] != b'$' {
                        end += 1;
                    }
                    let used = rows_use(sql, i, start, end, &found.comments)
                        .unwrap_or_else(|| list_use(sql, i, start, end, &found.comments));
                    i = used.end.max(end);
                    found.uses.push(used);
                } else {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    found
}

/// `VALUES :name(field, ...)` at `colon`, when it is one (fields: identifiers or indexes).
fn rows_use<'s>(
    sql: &'s str,
    colon: usize,
    start: usize,
    end: usize,
    comments: &[(usize, usize)],
) -> Option<Use<'s>> {
    let after = sql[end..].trim_start();
    let inner_start = sql.len() - after.strip_prefix('(')?.len();
    let close = inner_start + sql[inner_start..].find(')')?;
    let fields: Vec<&str> = sql[inner_start..close].split(',').map(str::trim).collect();
    let simple =
        |f: &&str| !f.is_empty() && f.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !fields.iter().all(simple) {
        return None;
    }
    let before = sql[..colon].trim_end();
    let word_start = before
        .bytes()
        .rposition(|b| !is_ident_char(b))
        .map_or(0, |p| p + 1);
    if !before[word_start..].eq_ignore_ascii_case("VALUES") || in_comment(comments, word_start) {
        return None;
    }
    Some(Use {
        name: &sql[start..end],
        start: word_start,
        end: close + 1,
        kind: UseKind::Rows(fields),
    })
}

/// The use of `:name` at `colon`, widened to `IN (:name)` / `NOT IN (:name)` when it is one.
fn list_use<'s>(
    sql: &'s str,
    colon: usize,
    start: usize,
    end: usize,
    comments: &[(usize, usize)],
) -> Use<'s> {
    let name = &sql[start..end];
    let plain = Use {
        name,
        start: colon,
        end,
        kind: UseKind::Plain,
    };
    let bytes = sql.as_bytes();
    let after = sql[end..].trim_start();
    if !after.starts_with(')') {
        return plain;
    }
    let close = sql.len() - after.len() + 1;
    let before = sql[..colon].trim_end();
    let Some(before) = before.strip_suffix('(') else {
        return plain;
    };
    let before = before.trim_end();
    let word_start = before
        .bytes()
        .rposition(|b| !is_ident_char(b))
        .map_or(0, |p| p + 1);
    if !before[word_start..].eq_ignore_ascii_case("IN") || in_comment(comments, word_start) {
        return plain;
    }
    let head = before[..word_start].trim_end();
    let not_start = head
        .bytes()
        .rposition(|b| !is_ident_char(b))
        .map_or(0, |p| p + 1);
    let (start, list) = if head[not_start..].eq_ignore_ascii_case("NOT") && not_start < head.len() {
        (not_start, "<> ALL")
    } else {
        (word_start, "= ANY")
    };
    debug_assert!(start <= colon && close <= bytes.len());
    Use {
        name,
        start,
        end: close,
        kind: UseKind::List(list),
    }
}

/// Whether byte `at` lies in one of the `comments`.
fn in_comment(comments: &[(usize, usize)], at: usize) -> bool {
    comments
        .iter()
        .any(|&(start, end)| (start..end).contains(&at))
}

/// The last byte before `at` that is not whitespace.
fn previous_significant(bytes: &[u8], at: usize) -> Option<u8> {
    bytes[..at]
        .iter()
        .rev()
        .find(|b| !b.is_ascii_whitespace())
        .copied()
}

/// Past the closing `quote` (doubled quotes stay inside; with `escapes`, a backslash escapes).
fn skip_quoted(bytes: &[u8], mut i: usize, quote: u8, escapes: bool) -> usize {
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if escapes => i += 2,
            c if c == quote => {
                if bytes.get(i + 1) == Some(&quote) {
                    i += 2;
                } else {
                    return i + 1;
                }
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Past the end of a (nested) block comment whose `/*` ended before `i`.
fn skip_block_comment(bytes: &[u8], mut i: usize) -> usize {
    let mut depth = 1;
    while i < bytes.len() {
        if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
            depth += 1;
            i += 2;
        } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    bytes.len()
}

/// Past a `$tag$ ... $tag$` body starting at `i` (or just past the `$` when it is none).
fn skip_dollar_quoted(bytes: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    while j < bytes.len() && bytes[j] != b'$' {
        if !(is_ident_char(bytes[j]) && bytes[j] != b'$')
            || (j == i + 1 && bytes[j].is_ascii_digit())
        {
            return i + 1;
        }
        j += 1;
    }
    if j >= bytes.len() {
        return i + 1;
    }
    let tag = &bytes[i..=j];
    let body = j + 1;
    bytes[body..]
        .windows(tag.len())
        .position(|w| w == tag)
        .map_or(bytes.len(), |p| body + p + tag.len())
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    fn args(tokens: proc_macro2::TokenStream) -> Vec<Arg> {
        let parser = syn::punctuated::Punctuated::<Arg, syn::Token![,]>::parse_terminated;
        syn::parse::Parser::parse2(parser, tokens)
            .unwrap()
            .into_iter()
            .collect()
    }

    fn rewrite(sql: &str, tokens: proc_macro2::TokenStream) -> (String, Vec<String>) {
        let Ok(bound) = bind(sql, args(tokens), Span::call_site()) else {
            panic!("refused: {sql}");
        };
        let (sql, args) = (bound.sql, bound.args);
        let exprs = args
            .iter()
            .map(|a| {
                let expr = &a.expr;
                quote!(#expr).to_string()
            })
            .collect();
        (sql, exprs)
    }

    fn names(sql: &str) -> Vec<&str> {
        scan(sql).uses.iter().map(|u| u.name).collect()
    }

    #[test]
    fn names_are_numbered_by_first_use_and_bound_once() {
        let (sql, exprs) = rewrite(
            "SELECT * FROM t WHERE a = :a AND b = :b OR a = :a",
            quote!(b = 2, a = x + 1),
        );
        assert_eq!(sql, "SELECT * FROM t WHERE a = $1 AND b = $2 OR a = $1");
        assert_eq!(exprs.len(), 2);
        assert!(
            exprs[0].contains('x') && exprs[1].contains('2'),
            "{exprs:?}"
        );
    }

    #[test]
    fn a_name_without_an_argument_is_the_variable_in_scope() {
        let (sql, exprs) = rewrite("SELECT :id::int4", quote!());
        assert_eq!(sql, "SELECT $1::int4");
        assert!(exprs[0].contains("id"), "{exprs:?}");
    }

    #[test]
    fn literals_comments_casts_and_bodies_hold_no_parameters() {
        assert!(names("SELECT ':a', E'\\':b', \"c:d\", x::text, f(p := 1)").is_empty());
        assert!(names("SELECT 1 -- :a\n/* :b /* :c */ :d */").is_empty());
        assert!(names("DO $$ BEGIN v := :a; END $$; SELECT $q$ :b $q$").is_empty());
        assert!(names("SELECT a[1:n], a[lo:hi], (x):y").is_empty());
        assert_eq!(names("SELECT a[:n], ':' || :v, x =:w"), ["n", "v", "w"]);
        assert_eq!(names("SELECT 'it''s' || :s"), ["s"]);
        assert!(scan("SELECT $1, :a").positional);
        assert!(!scan("SELECT a$1, $$x$$").positional);
    }

    #[test]
    fn in_lists_become_any_and_all() {
        let (sql, _) = rewrite(
            "SELECT 1 WHERE a IN (:ids) AND b NOT IN ( :ids ) AND c in(:c) AND f(:d)",
            quote!(ids = v, c = w, d = z),
        );
        assert_eq!(
            sql,
            "SELECT 1 WHERE a = ANY($1) AND b <> ALL($1) AND c = ANY($2) AND f($3)"
        );
    }

    #[test]
    fn mistakes_are_errors_naming_them() {
        let err = |sql: &str, tokens| match bind(sql, args(tokens), Span::call_site()) {
            Ok(bound) => panic!("accepted, as {}", bound.sql),
            Err(e) => e.to_string(),
        };
        assert!(err("SELECT :a", quote!(a = 1, b = 2)).contains("`b` is bound but"));
        assert!(err("SELECT 1", quote!(a = 1)).contains("no `:a`"));
        assert!(err("SELECT :a, $1", quote!(a = 1)).contains("mixes"));
        assert!(err("SELECT :a", quote!(1)).contains("not by position"));
        assert!(err("SELECT :a", quote!(a = 1, a = 2)).contains("bound twice"));
        assert!(err("SELECT :type", quote!()).contains("cannot name a Rust variable"));
    }

    #[test]
    fn values_spread_rows_into_one_array_per_field() {
        let Ok(bound) = bind(
            "INSERT INTO t (a, b) VALUES :rows(x, 0) ON CONFLICT DO NOTHING RETURNING :tag::text",
            args(quote!(tag = "t")),
            Span::call_site(),
        ) else {
            panic!("refused");
        };
        assert_eq!(
            bound.sql,
            "INSERT INTO t (a, b) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING $3::text"
        );
        let exprs: Vec<String> = bound
            .args
            .iter()
            .map(|a| {
                let expr = &a.expr;
                quote!(#expr).to_string()
            })
            .collect();
        assert!(
            exprs[0].contains("rows") && exprs[0].contains(". x"),
            "{exprs:?}"
        );
        assert!(exprs[1].contains(". 0"), "{exprs:?}");
        let ty = |name: &str| quarry_describe::TypeDescription {
            name: name.to_owned(),
            schema: "pg_catalog".to_owned(),
            oid: None,
            kind: Default::default(),
        };
        let probe = quarry_describe::QueryDescription {
            version: 0,
            sql: bound.sql.clone(),
            parameters: ["int4", "text", "text"]
                .into_iter()
                .map(|t| quarry_describe::ParamDescription {
                    ty: ty(t),
                    not_null_target: None,
                    not_null_domain: None,
                })
                .collect(),
            columns: Vec::new(),
        };
        assert_eq!(
            bound.finish(&probe).unwrap(),
            "INSERT INTO t (a, b) SELECT * FROM UNNEST($1::\"pg_catalog\".\"int4\"[], \
             $2::\"pg_catalog\".\"text\"[]) ON CONFLICT DO NOTHING RETURNING $3::text"
        );
        // Not a spread: `VALUES (:a, :b)` is one row.
        let (sql, _) = rewrite("INSERT INTO t VALUES (:a, :b)", quote!(a = 1, b = 2));
        assert_eq!(sql, "INSERT INTO t VALUES ($1, $2)");
    }

    #[test]
    fn optional_fragments_make_one_variant_per_combination() {
        let Ok(bound) = bind_fragments(
            "SELECT 1 FROM t WHERE a = :a {AND b = :b} {AND (c = :c OR d = :b)} LIMIT :n",
            args(quote!(n = 5)),
            Span::call_site(),
        ) else {
            panic!("refused");
        };
        assert_eq!(
            bound.sql,
            "SELECT 1 FROM t WHERE a = $1 AND b = $2 AND (c = $3 OR d = $2) LIMIT $4"
        );
        let Some(dynamic) = bound.dynamic else {
            panic!("no variants");
        };
        // Parameters by first use: a, b, c, n.
        let fragments: Vec<&[usize]> = dynamic
            .fragments
            .iter()
            .map(|f| match f {
                FragmentKind::Optional(params) => params.as_slice(),
                FragmentKind::Choice { .. } => &[],
            })
            .collect();
        assert_eq!(fragments, [&[1][..], &[2, 1][..]]);
        let variants: Vec<(&str, &[usize])> = dynamic
            .variants
            .iter()
            .map(|(sql, params)| (sql.as_str(), params.as_slice()))
            .collect();
        assert_eq!(
            variants,
            [
                ("SELECT 1 FROM t WHERE a = $1     LIMIT $2", &[0, 3][..]),
                (
                    "SELECT 1 FROM t WHERE a = $1 AND b = $2   LIMIT $3",
                    &[0, 1, 3][..]
                ),
                (
                    "SELECT 1 FROM t WHERE a = $1   AND (c = $2 OR d = $3) LIMIT $4",
                    &[0, 2, 1, 3][..]
                ),
                (
                    "SELECT 1 FROM t WHERE a = $1 AND b = $2 AND (c = $3 OR d = $2) LIMIT $4",
                    &[0, 1, 2, 3][..]
                ),
            ]
        );
        // Braces in literals and comments are no fragments.
        let Ok(plain) = bind_fragments(
            "SELECT '{a}', x -- {\n FROM t",
            Vec::new(),
            Span::call_site(),
        ) else {
            panic!("refused");
        };
        assert!(plain.dynamic.is_none());
    }

    #[test]
    fn choices_pick_one_alternative_each() {
        let Ok(bound) = bind_fragments(
            "SELECT 1 FROM t WHERE a = :a {AND b = :b} ORDER BY {:sort => a || b | c DESC, a} LIMIT :n",
            args(quote!(sort = order.column(), n = 5)),
            Span::call_site(),
        ) else {
            panic!("refused");
        };
        let Some(dynamic) = bound.dynamic else {
            panic!("no variants");
        };
        assert_eq!(bound.args.len(), 3, "a, b, n: the choice is no parameter");
        let FragmentKind::Choice {
            name,
            choice,
            count,
        } = &dynamic.fragments[1]
        else {
            panic!("not a choice");
        };
        assert_eq!((name.as_str(), *count), ("sort", 2));
        assert!(quote!(#choice).to_string().contains("column"));
        let sqls: Vec<&str> = dynamic
            .variants
            .iter()
            .map(|(sql, _)| sql.as_str())
            .collect();
        assert_eq!(
            sqls,
            [
                "SELECT 1 FROM t WHERE a = $1   ORDER BY a || b LIMIT $2",
                "SELECT 1 FROM t WHERE a = $1 AND b = $2 ORDER BY a || b LIMIT $3",
                "SELECT 1 FROM t WHERE a = $1   ORDER BY c DESC, a LIMIT $2",
                "SELECT 1 FROM t WHERE a = $1 AND b = $2 ORDER BY c DESC, a LIMIT $3",
            ]
        );
    }

    #[test]
    fn fragments_are_bounded_and_decided_by_a_parameter() {
        let err = |sql: &str| match bind_fragments(sql, Vec::new(), Span::call_site()) {
            Ok(bound) => panic!("accepted, as {}", bound.sql),
            Err(e) => e.to_string(),
        };
        assert!(err("SELECT 1 {AND true}").contains("no `:name` parameter"));
        assert!(err("SELECT 1 {AND :a {AND :b}}").contains("do not nest"));
        assert!(err("SELECT 1 {AND :a").contains("unbalanced"));
        let seven = "SELECT 1 {:a}{:b}{:c}{:d}{:e}{:f}{:g}";
        assert!(err(seven).contains("make 128 variants"), "{}", err(seven));
        let wide = "SELECT 1 {:a} ORDER BY {:s => a | b | c | d | e | f | g | h | i} {:t => a | b | c | d}";
        assert!(err(wide).contains("make 72 variants"), "{}", err(wide));
        assert!(err("SELECT 1 ORDER BY {:s => a}").contains("two alternatives"));
        assert!(err("SELECT 1 ORDER BY {:s => a | :b}").contains("take no `:name`"));
    }

    #[test]
    fn positional_queries_are_left_alone() {
        let (sql, exprs) = rewrite("SELECT $1::int4 WHERE x::text = 'a:b'", quote!(v));
        assert_eq!(sql, "SELECT $1::int4 WHERE x::text = 'a:b'");
        assert_eq!(exprs.len(), 1);
    }
}

/// SQL an outside review found the lexer taking wrongly.
#[cfg(test)]
mod regressions {
    use super::*;

    /// `arr[lo :hi]` is an array slice (PostgreSQL allows a space before the `:`), but with a
    /// space before the `:` and none after it the upper bound is taken for a parameter: with a
    /// Rust variable `hi` in scope, the slice silently becomes `arr[lo :$1]`, bounded by the
    /// variable's value instead of the column's.
    #[test]
    fn a_slice_with_spaces_holds_no_parameter() {
        assert!(
            scan("SELECT arr[lo :hi], arr[1 :n] FROM t").uses.is_empty(),
            "{:?}",
            scan("SELECT arr[lo :hi], arr[1 :n] FROM t").uses
        );
    }

    /// The `IN (` look-behind does not skip comments: a line comment ending in `IN` (or `NOT`)
    /// before `(:x)` makes the rewrite start inside the comment, swallowing the newline and
    /// the `(:x)` into it: `upper -- ... IN\n(:name)` becomes `upper -- ... = ANY($1)`.
    #[test]
    fn in_inside_a_comment_is_not_the_in_operator() {
        let scan = scan("SELECT upper -- shown IN\n(:name) FROM t");
        assert_eq!(scan.uses.len(), 1);
        assert_eq!(
            scan.uses[0].kind,
            UseKind::Plain,
            "rewritten as a list: {:?}",
            scan.uses[0]
        );
    }
}

/// What a second outside review found (`VALUES :rows(..)` and optional fragments).
#[cfg(test)]
mod regressions2 {
    use quote::quote;

    use super::*;

    fn args(tokens: proc_macro2::TokenStream) -> Vec<Arg> {
        let parser = syn::punctuated::Punctuated::<Arg, syn::Token![,]>::parse_terminated;
        syn::parse::Parser::parse2(parser, tokens)
            .unwrap()
            .into_iter()
            .collect()
    }

    /// `column_of` pastes the `rows = ...` expression into every field's argument, so it is
    /// evaluated once per field. With an expression that is not a plain place — `rows =
    /// batch.drain(..n).collect::<Vec<_>>()`, `rows = next_batch()`, `rows =
    /// std::mem::take(&mut buf)` — each field gets its values from a different evaluation: the
    /// arrays differ in content or length, and UNNEST pairs field 1 of one batch with field 2 of
    /// the next, or pads the shorter arrays with NULLs. Rows are silently mis-assembled.
    #[test]
    fn the_rows_expression_is_evaluated_once() {
        // Refused: the rows must be a place, read once per field without effect.
        match bind(
            "INSERT INTO t (a, b) VALUES :rows(a, b)",
            args(quote!(rows = next_batch())),
            Span::call_site(),
        ) {
            Ok(bound) => panic!("accepted, as {}", bound.sql),
            Err(e) => assert!(e.to_string().contains("must name the rows"), "{e}"),
        }
        let Ok(bound) = bind(
            "INSERT INTO t (a, b) VALUES :rows(a, b)",
            args(quote!(rows = &self.batch)),
            Span::call_site(),
        ) else {
            panic!("a place refused");
        };
        assert_eq!(bound.args.len(), 2);
    }

    /// UNNEST in FROM expands a composite element into its fields: with a composite column,
    /// `INSERT INTO pair_t (p, n) SELECT * FROM UNNEST($1::"public"."macro_pair"[], $2::..[])`
    /// yields three columns (a, b, n) for two targets, and the build fails with PostgreSQL's
    /// "INSERT has more expressions than target columns" — about SQL the user never wrote (their
    /// `VALUES :rows(p, n)` lists two fields for two columns). `VALUES ($1, $2)` carries the
    /// composite as one value. Either keep it one column (select the arrays by subscript over
    /// `generate_subscripts`, say) or refuse it with a message naming the field, as array
    /// columns are. (Checked on PostgreSQL 15.)
    #[test]
    fn a_composite_field_is_not_expanded_into_its_fields() {
        let Ok(bound) = bind(
            "INSERT INTO pair_t (p, n) VALUES :rows(p, n)",
            Vec::new(),
            Span::call_site(),
        ) else {
            panic!("refused");
        };
        let ty = |name: &str, schema: &str, kind| quarry_describe::TypeDescription {
            name: name.to_owned(),
            schema: schema.to_owned(),
            oid: None,
            kind,
        };
        let int4 = ty("int4", "pg_catalog", Default::default());
        let text = ty("text", "pg_catalog", Default::default());
        let pair = ty(
            "macro_pair",
            "public",
            quarry_describe::TypeKind::Composite {
                fields: vec![("a".to_owned(), int4.clone()), ("b".to_owned(), text)],
            },
        );
        let probe = quarry_describe::QueryDescription {
            version: 0,
            sql: bound.sql.clone(),
            parameters: [pair, int4]
                .into_iter()
                .map(|ty| quarry_describe::ParamDescription {
                    ty,
                    not_null_target: None,
                    not_null_domain: None,
                })
                .collect(),
            columns: Vec::new(),
        };
        match bound.finish(&probe) {
            Err(message) => assert!(message.contains("`p`"), "{message}"),
            Ok(sql) => assert!(
                !sql.contains("SELECT * FROM UNNEST("),
                "the composite field `p` is expanded into its fields: {sql}"
            ),
        }
    }

    /// A fragment left out is cut from the text with nothing in its place, so the tokens on
    /// either side are glued: `SELECT 2 -{ :a }- 1, 3` without the fragment is `SELECT 2 -- 1, 3`,
    /// a line comment — the variant silently returns `2` (and its description, taken as it is,
    /// agrees). A space where the fragment was keeps the tokens apart.
    #[test]
    fn a_fragment_left_out_does_not_glue_its_neighbours() {
        let Ok(bound) = bind_fragments(
            "SELECT 2 -{ :a::int4 }- 1 AS n",
            Vec::new(),
            Span::call_site(),
        ) else {
            panic!("refused");
        };
        let Some(dynamic) = bound.dynamic else {
            panic!("no variants");
        };
        let (without, _) = &dynamic.variants[0];
        assert!(
            scan(without).comments.is_empty(),
            "leaving the fragment out made a comment: {without:?}"
        );
    }
}
