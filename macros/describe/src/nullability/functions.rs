//! What the analysis knows about functions, by name: the built-ins that never return NULL for
//! non-NULL arguments, the ones that never return NULL at all, aggregates and window functions.
//!
//! Only names listed here are trusted; any other function (a user function, `nullif`,
//! `regexp_match`, `array_length`, `lower`/`upper` — which are also range functions that return
//! NULL for an empty range — `date_part`, ...) may return NULL.

/// What is known of one built-in function (or a group of its overloads): its name, the
/// argument categories it takes (`pg_type.typcategory`, one letter an argument; `None`: every
/// overload of that name), whether it returns an array, and how its result's NULL depends on
/// its arguments. Checked against `pg_proc` by `tests/describe_nullability.rs`: every
/// `pg_catalog` overload of a listed name is covered by some row with the same array-ness.
#[derive(Debug, Clone, Copy)]
pub struct Fact {
    /// The function's name.
    pub name: &'static str,
    /// The overloads it covers: argument categories, or `None` for all of them.
    pub args: Option<&'static str>,
    /// Whether it returns an array.
    pub array: bool,
    /// Whether it returns a set of rows (in a select list: lock-step padded by longer ones).
    pub set: bool,
    /// How its result can be NULL.
    pub rule: Rule,
}

/// The built-in functions the analysis trusts; any other (a user's function, `nullif`,
/// `regexp_match`, `array_length`, `upper(anyrange)`, `date_part` — NULL for some fields of
/// infinite timestamps) may return NULL.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "abs",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "cbrt",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "ceil",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "ceiling",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "degrees",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "div",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "exp",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "floor",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "ln",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "log",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "log10",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "mod",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "power",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "pow",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "radians",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "round",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "sign",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "sqrt",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "trunc",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "gcd",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "lcm",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "factorial",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "width_bucket",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "sin",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "cos",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "tan",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "asin",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "acos",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "atan",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "atan2",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "sind",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "cosd",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "tand",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "asind",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "acosd",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "atand",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "atan2d",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "sinh",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "cosh",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "tanh",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "asinh",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "acosh",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "atanh",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "length",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "char_length",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "character_length",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "octet_length",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "bit_length",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "btrim",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "ltrim",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "rtrim",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "lpad",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "rpad",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "left",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "right",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "repeat",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "replace",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "reverse",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "split_part",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "strpos",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "substr",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "translate",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "starts_with",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "ascii",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "chr",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "initcap",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "md5",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "sha224",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "sha256",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "sha384",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "sha512",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "encode",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "decode",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "to_hex",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "quote_ident",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "quote_literal",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "regexp_replace",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "regexp_count",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "regexp_instr",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "regexp_like",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "lower",
        args: Some("S"),
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "upper",
        args: Some("S"),
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "lower",
        args: Some("R"),
        array: false,
        set: false,
        rule: Rule::Maybe,
    },
    Fact {
        name: "upper",
        args: Some("R"),
        array: false,
        set: false,
        rule: Rule::Maybe,
    },
    Fact {
        name: "isempty",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "lower_inc",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "upper_inc",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "lower_inf",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "upper_inf",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "range_merge",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "cardinality",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "array_to_string",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "array_ndims",
        args: None,
        array: false,
        set: false,
        rule: Rule::Maybe,
    },
    Fact {
        name: "array_dims",
        args: None,
        array: false,
        set: false,
        rule: Rule::Maybe,
    },
    Fact {
        name: "array_length",
        args: None,
        array: false,
        set: false,
        rule: Rule::Maybe,
    },
    Fact {
        name: "array_lower",
        args: None,
        array: false,
        set: false,
        rule: Rule::Maybe,
    },
    Fact {
        name: "array_upper",
        args: None,
        array: false,
        set: false,
        rule: Rule::Maybe,
    },
    Fact {
        name: "array_position",
        args: None,
        array: false,
        set: false,
        rule: Rule::Maybe,
    },
    Fact {
        name: "array_append",
        args: None,
        array: true,
        set: false,
        rule: Rule::Never,
    },
    Fact {
        name: "array_prepend",
        args: None,
        array: true,
        set: false,
        rule: Rule::Never,
    },
    Fact {
        name: "array_cat",
        args: None,
        array: true,
        set: false,
        rule: Rule::IfAllArgs,
    },
    Fact {
        name: "array_remove",
        args: None,
        array: true,
        set: false,
        rule: Rule::IfFirstArg,
    },
    Fact {
        name: "array_replace",
        args: None,
        array: true,
        set: false,
        rule: Rule::IfFirstArg,
    },
    Fact {
        name: "string_to_array",
        args: None,
        array: true,
        set: false,
        rule: Rule::IfFirstArg,
    },
    Fact {
        name: "regexp_split_to_array",
        args: None,
        array: true,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "regexp_match",
        args: None,
        array: true,
        set: false,
        rule: Rule::Maybe,
    },
    Fact {
        name: "array_positions",
        args: None,
        array: true,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "to_char",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "to_date",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "to_timestamp",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "to_number",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "date_trunc",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "age",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "make_date",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "make_time",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "make_timestamp",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "make_timestamptz",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "make_interval",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "justify_days",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "justify_hours",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "justify_interval",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "date_bin",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    // Range constructors: a NULL bound is an unbounded one, NULL flags an error.
    Fact {
        name: "int4range",
        args: None,
        array: false,
        set: false,
        rule: Rule::Never,
    },
    Fact {
        name: "int8range",
        args: None,
        array: false,
        set: false,
        rule: Rule::Never,
    },
    Fact {
        name: "numrange",
        args: None,
        array: false,
        set: false,
        rule: Rule::Never,
    },
    Fact {
        name: "tsrange",
        args: None,
        array: false,
        set: false,
        rule: Rule::Never,
    },
    Fact {
        name: "tstzrange",
        args: None,
        array: false,
        set: false,
        rule: Rule::Never,
    },
    Fact {
        name: "daterange",
        args: None,
        array: false,
        set: false,
        rule: Rule::Never,
    },
    Fact {
        name: "date_part",
        args: None,
        array: false,
        set: false,
        rule: Rule::Maybe,
    },
    Fact {
        name: "now",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "clock_timestamp",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "statement_timestamp",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "transaction_timestamp",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "timeofday",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "current_database",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "version",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "pg_backend_pid",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "txid_current",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "gen_random_uuid",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "random",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "pi",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "nextval",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "currval",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "setval",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "pg_typeof",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "to_json",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "to_jsonb",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "row_to_json",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "array_to_json",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "json_typeof",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "jsonb_typeof",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "jsonb_pretty",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "jsonb_strip_nulls",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "json_strip_nulls",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "json_array_length",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "jsonb_array_length",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "jsonb_set",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "jsonb_insert",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "jsonb_exists",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "jsonb_exists_any",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "jsonb_exists_all",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "jsonb_contains",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "jsonb_contained",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "json_build_object",
        args: None,
        array: false,
        set: false,
        rule: Rule::Never,
    },
    Fact {
        name: "jsonb_build_object",
        args: None,
        array: false,
        set: false,
        rule: Rule::Never,
    },
    Fact {
        name: "json_build_array",
        args: None,
        array: false,
        set: false,
        rule: Rule::Never,
    },
    Fact {
        name: "jsonb_build_array",
        args: None,
        array: false,
        set: false,
        rule: Rule::Never,
    },
    Fact {
        name: "concat",
        args: None,
        array: false,
        set: false,
        rule: Rule::Never,
    },
    Fact {
        name: "quote_nullable",
        args: None,
        array: false,
        set: false,
        rule: Rule::Never,
    },
    Fact {
        name: "num_nulls",
        args: None,
        array: false,
        set: false,
        rule: Rule::Never,
    },
    Fact {
        name: "num_nonnulls",
        args: None,
        array: false,
        set: false,
        rule: Rule::Never,
    },
    Fact {
        name: "concat_ws",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfFirstArg,
    },
    Fact {
        name: "format",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfFirstArg,
    },
    Fact {
        name: "host",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "masklen",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "family",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "broadcast",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "network",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "netmask",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "hostmask",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "abbrev",
        args: None,
        array: false,
        set: false,
        rule: Rule::IfAnyArg,
    },
    // An enum's first and last label: an enum without labels is an error, not NULL.
    Fact {
        name: "enum_first",
        args: None,
        array: false,
        set: false,
        rule: Rule::Never,
    },
    Fact {
        name: "enum_last",
        args: None,
        array: false,
        set: false,
        rule: Rule::Never,
    },
    // `enum_range(NULL::mood)` is how it is called: the argument only names the type.
    Fact {
        name: "enum_range",
        args: None,
        array: true,
        set: false,
        rule: Rule::Never,
    },
    Fact {
        name: "generate_series",
        args: None,
        array: false,
        set: true,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "generate_subscripts",
        args: None,
        array: false,
        set: true,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "jsonb_array_elements",
        args: None,
        array: false,
        set: true,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "json_array_elements",
        args: None,
        array: false,
        set: true,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "jsonb_object_keys",
        args: None,
        array: false,
        set: true,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "json_object_keys",
        args: None,
        array: false,
        set: true,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "regexp_split_to_table",
        args: None,
        array: false,
        set: true,
        rule: Rule::IfAnyArg,
    },
    Fact {
        name: "regexp_matches",
        args: None,
        array: true,
        set: true,
        rule: Rule::IfAnyArg,
    },
];

/// SQL syntax that reads like a call but is not a `pg_proc` function.
const SYNTAX: &[(&str, Rule)] = &[
    ("coalesce", Rule::IfAllArgs),
    ("greatest", Rule::IfAllArgs),
    ("least", Rule::IfAllArgs),
    ("row", Rule::Never),
    ("array", Rule::Never),
    ("current_timestamp", Rule::Never),
    ("current_date", Rule::Never),
    ("current_time", Rule::Never),
    ("localtime", Rule::Never),
    ("localtimestamp", Rule::Never),
    ("current_user", Rule::Never),
    ("session_user", Rule::Never),
    ("user", Rule::Never),
    ("current_role", Rule::Never),
    ("current_catalog", Rule::Never),
    ("current_schema", Rule::Maybe),
    ("grouping", Rule::Never),
];

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
    "generate_series",
    "generate_subscripts",
    "jsonb_array_elements",
    "json_array_elements",
    "jsonb_object_keys",
    "json_object_keys",
    "regexp_split_to_table",
    "unnest",
    "jsonb_each",
    "json_each",
    "jsonb_each_text",
    "json_each_text",
];

/// Whether the built-in `name` is NULL whenever an argument is (see [`STRICT`]).
pub(crate) fn strict(name: &str) -> bool {
    STRICT.contains(&name)
}

/// How a function's result depends on its arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
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

/// The rule of a plain (non-aggregate, non-window) call of the built-in `name` with arguments
/// of the given categories (`None`: not known): the rule of every overload that may be the one
/// called, when they agree, else [`Rule::Maybe`].
/// The `extract` / `date_part` fields that are never NULL for a non-NULL argument: the ones
/// that grow with time, which an infinite timestamp or date gives as `±Infinity` (the others —
/// `dow`, `hour`, `month`, ... — are NULL for it). Every spelling PostgreSQL accepts.
const MONOTONIC_FIELDS: &[&str] = &[
    "year",
    "years",
    "y",
    "yr",
    "yrs",
    "decade",
    "decades",
    "dec",
    "decs",
    "century",
    "centuries",
    "c",
    "cent",
    "millennium",
    "millennia",
    "mil",
    "mils",
    "j",
    "julian",
    "jd",
    "isoyear",
    "epoch",
];

/// Whether `extract(field FROM x)` / `date_part('field', x)` is non-NULL for non-NULL `x`.
pub(crate) fn monotonic_field(field: &str) -> bool {
    MONOTONIC_FIELDS.contains(&field.to_ascii_lowercase().as_str())
}

pub(crate) fn scalar_rule(name: &str, args: &[Option<u8>]) -> Rule {
    if let Some((_, rule)) = SYNTAX.iter().find(|(n, _)| *n == name) {
        return *rule;
    }
    let mut rule = None;
    for fact in candidates(name, args) {
        match rule {
            None => rule = Some(fact.rule),
            Some(r) if r == fact.rule => {}
            Some(_) => return Rule::Maybe,
        }
    }
    rule.unwrap_or(Rule::Maybe)
}

/// Whether a call of `name` with arguments of these categories returns an array, as far as
/// the facts tell (`None`: not known).
pub(crate) fn returns_array(name: &str, args: &[Option<u8>]) -> Option<bool> {
    if SYNTAX.iter().any(|(n, _)| *n == name) {
        return (name != "array").then_some(false).or(Some(true));
    }
    let mut out = None;
    for fact in candidates(name, args) {
        match out {
            None => out = Some(fact.array),
            Some(a) if a == fact.array => {}
            Some(_) => return None,
        }
    }
    out
}

/// The facts that may describe a call of `name` with arguments of these categories.
fn candidates<'a>(
    name: &'a str,
    args: &'a [Option<u8>],
) -> impl Iterator<Item = &'static Fact> + 'a {
    FACTS.iter().filter(move |f| {
        f.name == name
            && f.args.is_none_or(|cats| {
                cats.len() == args.len()
                    && cats
                        .bytes()
                        .zip(args)
                        .all(|(want, got)| want == b'*' || got.is_none_or(|g| g == want))
            })
    })
}

/// Whether every fact for a call of `name` with these argument categories returns a set of
/// one-column rows.
pub(crate) fn is_set_returning(name: &str, args: &[Option<u8>]) -> bool {
    let mut any = false;
    for fact in candidates(name, args) {
        if !fact.set || fact.array {
            return false;
        }
        any = true;
    }
    any
}

/// Whether `name` is known to return one row per call (a listed function or SQL syntax; not a
/// set-returning one).
pub(crate) fn known_scalar(name: &str) -> bool {
    name == "nullif"
        || SYNTAX.iter().any(|(n, _)| *n == name)
        || FACTS.iter().any(|f| f.name == name && !f.set)
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
    /// The hypothetical-set aggregates (`rank(5) WITHIN GROUP (ORDER BY x)`, `dense_rank`,
    /// `percent_rank`, `cume_dist`): they rank the given row among the group's, a number even
    /// over an empty set.
    Hypothetical,
    /// `percentile_cont`, `percentile_disc`, `mode`: non-NULL over a non-empty set whose
    /// WITHIN GROUP values (and direct arguments) are non-NULL.
    OrderedSet,
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
    } else if matches!(name, "rank" | "dense_rank" | "percent_rank" | "cume_dist") {
        Some(Agg::Hypothetical)
    } else if matches!(name, "percentile_cont" | "percentile_disc" | "mode") {
        Some(Agg::OrderedSet)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert_eq!(scalar_rule("coalesce", &[None, None]), Rule::IfAllArgs);
        assert_eq!(scalar_rule("concat", &[None]), Rule::Never);
        assert_eq!(scalar_rule("length", &[Some(b'S')]), Rule::IfAnyArg);
        assert_eq!(scalar_rule("nullif", &[None, None]), Rule::Maybe);
        assert_eq!(scalar_rule("regexp_match", &[None, None]), Rule::Maybe);
        // Text or range: not known which.
        assert_eq!(scalar_rule("lower", &[None]), Rule::Maybe);
        assert_eq!(scalar_rule("lower", &[Some(b'S')]), Rule::IfAnyArg);
        assert_eq!(scalar_rule("upper", &[Some(b'R')]), Rule::Maybe);
        assert_eq!(returns_array("array_remove", &[None, None]), Some(true));
        assert_eq!(returns_array("lower", &[None]), Some(false));
        assert_eq!(aggregate("count"), Some(Agg::Count));
        assert_eq!(aggregate("array_agg"), Some(Agg::NonEmpty));
        assert_eq!(aggregate("lower"), None);
        assert!(window_never_null("row_number"));
        assert!(!window_never_null("lag"));
        assert!(!known_scalar("generate_series"));
        assert!(!known_scalar("unnest"));
    }
}
