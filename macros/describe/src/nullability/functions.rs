//! What the analysis knows about functions, by name: the built-ins that never return NULL for
//! non-NULL arguments, the ones that never return NULL at all, aggregates and window functions.
//!
//! Only names listed here are trusted; any other function (a user function, `nullif`,
//! `regexp_match`, `array_length`, `lower`/`upper` — which are also range functions that return
//! NULL for an empty range — `date_part`, ...) may return NULL.

/// Built-ins that return non-NULL whenever every argument is non-NULL.
const NON_NULL_ON_NON_NULL: &[&str] = &[
    "abs",
    "cbrt",
    "ceil",
    "ceiling",
    "degrees",
    "div",
    "exp",
    "floor",
    "ln",
    "log",
    "log10",
    "mod",
    "power",
    "pow",
    "radians",
    "round",
    "sign",
    "sqrt",
    "trunc",
    "gcd",
    "lcm",
    "factorial",
    "width_bucket",
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "atan",
    "atan2",
    "pi",
    "random",
    "length",
    "char_length",
    "character_length",
    "octet_length",
    "bit_length",
    "btrim",
    "ltrim",
    "rtrim",
    "lpad",
    "rpad",
    "left",
    "right",
    "repeat",
    "replace",
    "reverse",
    "split_part",
    "strpos",
    "substr",
    "translate",
    "starts_with",
    "ascii",
    "chr",
    "initcap",
    "md5",
    "sha224",
    "sha256",
    "sha384",
    "sha512",
    "encode",
    "decode",
    "to_hex",
    "quote_ident",
    "quote_literal",
    "string_to_array",
    "array_to_string",
    "array_append",
    "array_prepend",
    "array_cat",
    "array_remove",
    "array_replace",
    "cardinality",
    "to_char",
    "to_date",
    "to_timestamp",
    "to_number",
    "date_trunc",
    "age",
    "make_date",
    "make_time",
    "make_timestamp",
    "make_timestamptz",
    "make_interval",
    "justify_days",
    "justify_hours",
    "justify_interval",
    "now",
    "current_timestamp",
    "current_date",
    "current_time",
    "localtime",
    "localtimestamp",
    "clock_timestamp",
    "statement_timestamp",
    "transaction_timestamp",
    "timeofday",
    "current_user",
    "session_user",
    "user",
    "current_role",
    "current_database",
    "current_catalog",
    "version",
    "pg_backend_pid",
    "txid_current",
    "gen_random_uuid",
    "nextval",
    "currval",
    "setval",
    "to_json",
    "to_jsonb",
    "row_to_json",
    "array_to_json",
    "json_typeof",
    "jsonb_typeof",
    "jsonb_pretty",
    "jsonb_strip_nulls",
    "json_strip_nulls",
    "json_array_length",
    "jsonb_array_length",
    "pg_typeof",
    "generate_series",
    "row",
    "array",
    "num_nulls",
    "num_nonnulls",
];

/// Built-ins that never return NULL, whatever their arguments.
const NEVER_NULL: &[&str] = &[
    "concat",
    "json_build_object",
    "jsonb_build_object",
    "json_build_array",
    "jsonb_build_array",
    "quote_nullable",
    "num_nulls",
    "num_nonnulls",
    "row",
    "array",
];

/// Built-ins that are NULL only when their first argument is (`concat_ws`'s separator,
/// `format`'s format string).
const NULL_WITH_FIRST: &[&str] = &["concat_ws", "format"];

/// NULL only when every argument is NULL.
const NULL_WHEN_ALL_NULL: &[&str] = &["coalesce", "greatest", "least"];

/// Aggregates that are non-NULL over a non-empty set of non-NULL inputs.
const AGG_NON_NULL_INPUTS: &[&str] = &[
    "sum",
    "min",
    "max",
    "avg",
    "bit_and",
    "bit_or",
    "bit_xor",
    "bool_and",
    "bool_or",
    "every",
    "string_agg",
];

/// Aggregates that are non-NULL over any non-empty set (NULL inputs become elements).
const AGG_NON_EMPTY: &[&str] = &[
    "array_agg",
    "json_agg",
    "jsonb_agg",
    "json_object_agg",
    "jsonb_object_agg",
];

/// Every aggregate the analysis knows (the ones above, `count`, and others that may be NULL).
const OTHER_AGGREGATES: &[&str] = &[
    "count",
    "stddev",
    "stddev_pop",
    "stddev_samp",
    "variance",
    "var_pop",
    "var_samp",
    "corr",
    "covar_pop",
    "covar_samp",
    "regr_slope",
    "regr_intercept",
    "regr_count",
    "regr_r2",
    "percentile_cont",
    "percentile_disc",
    "mode",
    "xmlagg",
    "range_agg",
    "range_intersect_agg",
    "any_value",
];

/// Window functions that are never NULL.
const WINDOW_NEVER_NULL: &[&str] = &[
    "row_number",
    "rank",
    "dense_rank",
    "percent_rank",
    "cume_dist",
];

/// Built-ins that are NULL whenever an argument is NULL (`pg_proc.proisstrict` for every
/// overload: checked against the server by `tests/describe_nullability.rs`).
pub const STRICT: &[&str] = &[
    "abs",
    "cbrt",
    "ceil",
    "ceiling",
    "degrees",
    "div",
    "exp",
    "floor",
    "ln",
    "log",
    "log10",
    "mod",
    "power",
    "pow",
    "radians",
    "round",
    "sign",
    "sqrt",
    "trunc",
    "gcd",
    "lcm",
    "factorial",
    "width_bucket",
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "atan",
    "atan2",
    "length",
    "char_length",
    "character_length",
    "octet_length",
    "bit_length",
    "btrim",
    "ltrim",
    "rtrim",
    "lpad",
    "rpad",
    "left",
    "right",
    "repeat",
    "replace",
    "reverse",
    "split_part",
    "strpos",
    "substr",
    "substring",
    "translate",
    "starts_with",
    "ascii",
    "chr",
    "initcap",
    "lower",
    "upper",
    "md5",
    "sha224",
    "sha256",
    "sha384",
    "sha512",
    "encode",
    "decode",
    "to_hex",
    "quote_ident",
    "quote_literal",
    "cardinality",
    "array_length",
    "array_upper",
    "array_lower",
    "array_ndims",
    "array_dims",
    "to_char",
    "to_date",
    "to_timestamp",
    "to_number",
    "date_trunc",
    "date_part",
    "extract",
    "age",
    "make_date",
    "make_time",
    "make_timestamp",
    "make_timestamptz",
    "justify_days",
    "justify_hours",
    "justify_interval",
    "to_json",
    "to_jsonb",
    "row_to_json",
    "array_to_json",
    "json_typeof",
    "jsonb_typeof",
    "jsonb_pretty",
    "jsonb_strip_nulls",
    "json_strip_nulls",
    "json_array_length",
    "jsonb_array_length",
    "regexp_replace",
    "regexp_match",
    "regexp_matches",
    "regexp_split_to_array",
    "isempty",
    "lower_inc",
    "upper_inc",
    "lower_inf",
    "upper_inf",
    "host",
    "masklen",
    "family",
];

/// Whether the built-in `name` is NULL whenever an argument is (see [`STRICT`]).
pub(crate) fn strict(name: &str) -> bool {
    STRICT.contains(&name)
}

/// How a function's result depends on its arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rule {
    /// Never NULL.
    Never,
    /// NULL only if some argument is.
    IfAnyArg,
    /// NULL only if the first argument is.
    IfFirstArg,
    /// NULL only if every argument is.
    IfAllArgs,
    /// May be NULL.
    Maybe,
}

/// The rule of a plain (non-aggregate, non-window) call of the built-in `name`.
pub(crate) fn scalar_rule(name: &str) -> Rule {
    if NEVER_NULL.contains(&name) {
        Rule::Never
    } else if NULL_WHEN_ALL_NULL.contains(&name) {
        Rule::IfAllArgs
    } else if NULL_WITH_FIRST.contains(&name) {
        Rule::IfFirstArg
    } else if NON_NULL_ON_NON_NULL.contains(&name) {
        Rule::IfAnyArg
    } else {
        Rule::Maybe
    }
}

/// How an aggregate behaves over a non-empty set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Agg {
    /// `count`: never NULL, even over an empty set.
    Count,
    /// Non-NULL over a non-empty set if its inputs are non-NULL.
    NonNullInputs,
    /// Non-NULL over any non-empty set.
    NonEmpty,
    /// An aggregate that may be NULL anyway.
    Other,
}

/// The aggregate called `name`, if it is one the analysis knows.
pub(crate) fn aggregate(name: &str) -> Option<Agg> {
    if name == "count" {
        Some(Agg::Count)
    } else if AGG_NON_NULL_INPUTS.contains(&name) {
        Some(Agg::NonNullInputs)
    } else if AGG_NON_EMPTY.contains(&name) {
        Some(Agg::NonEmpty)
    } else if OTHER_AGGREGATES.contains(&name) {
        Some(Agg::Other)
    } else {
        None
    }
}

/// Whether the window function `name` is never NULL.
pub(crate) fn window_never_null(name: &str) -> bool {
    WINDOW_NEVER_NULL.contains(&name)
}

/// Whether `name` is a known function that returns one row per call (not a set-returning one).
pub(crate) fn known_scalar(name: &str) -> bool {
    name != "generate_series" && (scalar_rule(name) != Rule::Maybe || name == "nullif")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert_eq!(scalar_rule("coalesce"), Rule::IfAllArgs);
        assert_eq!(scalar_rule("concat"), Rule::Never);
        assert_eq!(scalar_rule("length"), Rule::IfAnyArg);
        assert_eq!(scalar_rule("nullif"), Rule::Maybe);
        assert_eq!(scalar_rule("regexp_match"), Rule::Maybe);
        assert_eq!(scalar_rule("lower"), Rule::Maybe);
        assert_eq!(aggregate("count"), Some(Agg::Count));
        assert_eq!(aggregate("array_agg"), Some(Agg::NonEmpty));
        assert_eq!(aggregate("lower"), None);
        assert!(window_never_null("row_number"));
        assert!(!window_never_null("lag"));
        assert!(!known_scalar("generate_series"));
        assert!(!known_scalar("unnest"));
    }
}
