//! The `#[quarry(...)]` attribute front end shared by `FromRecord` and `Type`, with a context that
//! collects every error so the user sees them all at once (as serde_derive's `Ctxt` does).
//!
//! Both derives may sit on one struct, so each accepts the other's keys and ignores those it has
//! no use for; a key neither knows, a bad value or a repeated key is an error.

use std::cell::RefCell;
use std::fmt::Display;

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Attribute, LitStr, Token};

use crate::case::{RULE_NAMES, RenameRule};

/// Errors found while reading the input; reported together at the end.
#[derive(Default)]
pub(crate) struct Ctxt {
    errors: RefCell<Vec<syn::Error>>,
}

impl Ctxt {
    /// Records an error spanning `tokens`.
    pub(crate) fn error(&self, tokens: impl ToTokens, message: impl Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    /// Records an error at `span`.
    pub(crate) fn error_at(&self, span: Span, message: impl Display) {
        self.push(syn::Error::new(span, message));
    }

    /// Records a parse error.
    pub(crate) fn push(&self, error: syn::Error) {
        self.errors.borrow_mut().push(error);
    }

    /// All errors combined into one, or `Ok` if there were none.
    pub(crate) fn check(self) -> Result<(), syn::Error> {
        let mut errors = self.errors.into_inner().into_iter();
        let Some(mut first) = errors.next() else {
            return Ok(());
        };
        for e in errors {
            first.combine(e);
        }
        Err(first)
    }
}

/// A value set by an attribute, with the span of the key that set it (for conflict errors).
pub(crate) struct Set<T> {
    pub(crate) value: T,
    pub(crate) span: Span,
}

/// Keys on the struct or enum.
#[derive(Default)]
pub(crate) struct Container {
    pub(crate) rename_all: Option<Set<RenameRule>>,
    pub(crate) type_name: Option<Set<String>>,
    pub(crate) transparent: Option<Set<()>>,
}

/// Keys on a struct field.
#[derive(Default)]
pub(crate) struct Field {
    pub(crate) rename: Option<Set<String>>,
    pub(crate) default: Option<Set<()>>,
    pub(crate) flatten: Option<Set<()>>,
    pub(crate) skip: Option<Set<()>>,
    pub(crate) try_from: Option<Set<syn::Type>>,
    pub(crate) json: Option<Set<()>>,
    pub(crate) nested: Option<Set<()>>,
}

/// Keys on an enum variant.
#[derive(Default)]
pub(crate) struct Variant {
    pub(crate) rename: Option<Set<String>>,
}

impl Container {
    /// Reads the container's `#[quarry(...)]` attributes.
    pub(crate) fn from_attrs(cx: &Ctxt, attrs: &[Attribute]) -> Container {
        let mut c = Container::default();
        each_key(
            cx,
            attrs,
            "rename_all, type_name, transparent",
            |key, meta| {
                match key.as_str() {
                    "rename_all" => {
                        let lit: LitStr = meta.value()?.parse()?;
                        match RenameRule::from_name(&lit.value()) {
                            Some(rule) => set(cx, &mut c.rename_all, &key, meta, rule),
                            None => cx.error(
                                &lit,
                                format!(
                                    "unknown rename_all case {:?}; expected one of {RULE_NAMES}",
                                    lit.value()
                                ),
                            ),
                        }
                    }
                    "type_name" => {
                        let lit: LitStr = meta.value()?.parse()?;
                        if lit.value().is_empty() {
                            cx.error(&lit, "type_name must not be empty");
                        }
                        set(cx, &mut c.type_name, &key, meta, lit.value());
                    }
                    "transparent" => flag(cx, &mut c.transparent, &key, meta),
                    _ => return Ok(false),
                }
                Ok(true)
            },
        );
        c
    }
}

impl Field {
    /// Reads a field's `#[quarry(...)]` attributes and checks that they go together.
    pub(crate) fn from_attrs(cx: &Ctxt, attrs: &[Attribute]) -> Field {
        let mut f = Field::default();
        each_key(
            cx,
            attrs,
            "rename, default, flatten, skip, try_from, json, nested",
            |key, meta| {
                match key.as_str() {
                    "rename" => {
                        let lit: LitStr = meta.value()?.parse()?;
                        set(cx, &mut f.rename, &key, meta, lit.value());
                    }
                    "try_from" => {
                        let lit: LitStr = meta.value()?.parse()?;
                        match lit.parse::<syn::Type>() {
                            Ok(ty) => set(cx, &mut f.try_from, &key, meta, ty),
                            Err(_) => cx.error(
                                &lit,
                                format!("try_from expects a Rust type, found {:?}", lit.value()),
                            ),
                        }
                    }
                    "default" => flag(cx, &mut f.default, &key, meta),
                    "flatten" => flag(cx, &mut f.flatten, &key, meta),
                    "skip" => flag(cx, &mut f.skip, &key, meta),
                    "json" => flag(cx, &mut f.json, &key, meta),
                    "nested" => flag(cx, &mut f.nested, &key, meta),
                    _ => return Ok(false),
                }
                Ok(true)
            },
        );
        f.check_conflicts(cx);
        f
    }

    fn check_conflicts(&self, cx: &Ctxt) {
        let others = [
            ("rename", self.rename.is_some()),
            ("default", self.default.is_some()),
            ("flatten", self.flatten.is_some()),
            ("try_from", self.try_from.is_some()),
            ("json", self.json.is_some()),
            ("nested", self.nested.is_some()),
        ];
        let exclusive = [
            ("skip", &self.skip, "a skipped field reads no column"),
            (
                "flatten",
                &self.flatten,
                "a flattened field reads the whole record",
            ),
        ];
        for (key, slot, why) in exclusive {
            let Some(set) = slot else { continue };
            for (name, present) in others {
                if present && name != key && !(key == "flatten" && self.skip.is_some()) {
                    cx.error_at(
                        set.span,
                        format!("`{key}` cannot be combined with `{name}`: {why}"),
                    );
                }
            }
        }
        if let (Some(_), Some(json)) = (&self.try_from, &self.json) {
            cx.error_at(json.span, "`json` cannot be combined with `try_from`");
        }
        if let (Some(_), Some(nested)) = (&self.try_from, &self.nested) {
            cx.error_at(
                nested.span,
                "`nested` cannot be combined with `try_from`: nested rows are read as `Vec<Child>`",
            );
        }
    }
}

impl Variant {
    /// Reads a variant's `#[quarry(...)]` attributes.
    pub(crate) fn from_attrs(cx: &Ctxt, attrs: &[Attribute]) -> Variant {
        let mut v = Variant::default();
        each_key(cx, attrs, "rename", |key, meta| {
            if key != "rename" {
                return Ok(false);
            }
            let lit: LitStr = meta.value()?.parse()?;
            set(cx, &mut v.rename, &key, meta, lit.value());
            Ok(true)
        });
        v
    }
}

/// Runs `handle` on every key of every `#[quarry(...)]` attribute. `handle` returns `Ok(false)`
/// for a key it does not know; that key is reported (naming the `expected` ones) and skipped, so
/// later keys are still read.
fn each_key(
    cx: &Ctxt,
    attrs: &[Attribute],
    expected: &str,
    mut handle: impl FnMut(String, &ParseNestedMeta<'_>) -> syn::Result<bool>,
) {
    for attr in attrs.iter().filter(|a| a.path().is_ident("quarry")) {
        let result = attr.parse_nested_meta(|meta| {
            let key = meta
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_else(|| meta.path.to_token_stream().to_string().replace(' ', ""));
            if !handle(key.clone(), &meta)? {
                cx.error(
                    &meta.path,
                    format!("unknown quarry attribute `{key}` here; expected one of: {expected}"),
                );
                skip_value(&meta)?;
            }
            Ok(())
        });
        if let Err(e) = result {
            cx.push(e);
        }
    }
}

/// Consumes `= value` or `(...)` after an unknown key so parsing can go on.
fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        let _: syn::Expr = meta.value()?.parse()?;
    } else if meta.input.peek(syn::token::Paren) {
        let _: TokenStream = meta
            .input
            .parse::<proc_macro2::Group>()
            .map(|g| g.stream())?;
    }
    Ok(())
}

/// Stores a value, reporting a key given twice.
fn set<T>(cx: &Ctxt, slot: &mut Option<Set<T>>, key: &str, meta: &ParseNestedMeta<'_>, value: T) {
    let span = meta.path.span();
    if slot.is_some() {
        cx.error_at(span, format!("duplicate quarry attribute `{key}`"));
        return;
    }
    *slot = Some(Set { value, span });
}

/// Stores a flag (a key without a value), reporting a key given twice or given a value.
fn flag(cx: &Ctxt, slot: &mut Option<Set<()>>, key: &str, meta: &ParseNestedMeta<'_>) {
    if meta.input.peek(Token![=]) || meta.input.peek(syn::token::Paren) {
        cx.error(
            &meta.path,
            format!("quarry attribute `{key}` takes no value"),
        );
        if let Err(e) = skip_value(meta) {
            cx.push(e);
        }
    }
    set(cx, slot, key, meta, ());
}
