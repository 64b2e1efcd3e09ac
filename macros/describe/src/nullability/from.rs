//! FROM clauses: tables and views (through the catalog), CTEs, subqueries (LATERAL too),
//! `generate_series`/`unnest` and other functions, and joins — inner, LEFT/RIGHT/FULL, nested and
//! parenthesised, with ON, USING and NATURAL — deciding which side's columns become nullable.

use sqlparser::ast::{
    FunctionArg, Join, JoinConstraint, JoinOperator, ObjectName, TableAlias, TableFactor,
    TableInheritance, TableSampleKind, TableWithJoins,
};

use super::Analyzer;
use sqlparser::ast::{BinaryOperator, Expr, GroupByExpr, Query, SelectItem, SetExpr, Value};

use super::catalog::{self, Lookup, Relation};
use super::elements::Elements;
use super::expr::{Ctx, arg_expr, builtin_name_of, calls_unknown, is_aggregate_call};
use super::filters::{Probe, narrow};
use super::functions::{self, Rule};
use super::query::column_parts;
use super::scope::{Col, Rel, Scope, Source, fold, fold_name, rename, resolve};

/// How deep views may nest in views before the analysis gives up on a column.
const MAX_VIEW_DEPTH: usize = 16;

/// The side(s) an outer join NULL-extends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Inner,
    Left,
    Right,
    Full,
}

impl Analyzer<'_> {
    /// A FROM list (its items cross-joined, later ones seeing earlier ones for LATERAL).
    pub(crate) fn source_of(&mut self, from: &[TableWithJoins], scope: &Scope<'_>) -> Source {
        let mut acc = Source {
            rels: Vec::new(),
            star: Some(Vec::new()),
        };
        for item in from {
            let src = {
                let mut inner = Scope::child(scope);
                inner.rels = acc.rels.clone();
                self.table_with_joins(item, &inner)
            };
            acc.append(src);
        }
        acc
    }

    fn table_with_joins(&mut self, twj: &TableWithJoins, scope: &Scope<'_>) -> Source {
        let mut left = self.factor(&twj.relation, scope);
        for join in &twj.joins {
            left = self.join(left, join, scope);
        }
        left
    }

    fn join(&mut self, mut left: Source, join: &Join, scope: &Scope<'_>) -> Source {
        let mut right = {
            let mut inner = Scope::child(scope);
            inner.rels = left.rels.clone();
            self.factor(&join.relation, &inner)
        };
        let (kind, constraint) = match &join.join_operator {
            JoinOperator::Join(c)
            | JoinOperator::Inner(c)
            | JoinOperator::CrossJoin(c)
            | JoinOperator::StraightJoin(c) => (Kind::Inner, Some(c)),
            JoinOperator::CrossApply => (Kind::Inner, None),
            JoinOperator::Left(c) | JoinOperator::LeftOuter(c) => (Kind::Left, Some(c)),
            JoinOperator::OuterApply => (Kind::Left, None),
            JoinOperator::Right(c) | JoinOperator::RightOuter(c) => (Kind::Right, Some(c)),
            JoinOperator::FullOuter(c) => (Kind::Full, Some(c)),
            _ => (Kind::Full, None),
        };
        if let Some(JoinConstraint::On(cond)) = constraint {
            // A row of the joined result satisfied ON unless it was NULL-extended.
            let left_len = left.rels.len();
            // `right_matched`: every left row has a match on the right (along a key), or
            // every one whose key is not NULL.
            let (right_matched, left_matched) = (
                self.key_covers(&left, &right, cond),
                self.key_covers(&right, &left, cond),
            );
            left.append(right);
            let all = 0..left.rels.len();
            let (l, r) = (0..left_len, left_len..left.rels.len());
            match kind {
                Kind::Inner => narrow(self.catalog, &self.on, &mut left.rels, cond, all),
                Kind::Left => narrow(self.catalog, &self.on, &mut left.rels, cond, r.clone()),
                Kind::Right => narrow(self.catalog, &self.on, &mut left.rels, cond, l.clone()),
                Kind::Full => {}
            }
            // A side every row of the other side matches along a foreign key is never
            // NULL-extended.
            let extend_left =
                matches!(kind, Kind::Right | Kind::Full) && left_matched != Covers::Always;
            let extend_right =
                matches!(kind, Kind::Left | Kind::Full) && right_matched != Covers::Always;
            // When the NULL-extended side of a LEFT or RIGHT join turns out present, the row
            // was a match and ON held; one side of a FULL join present proves no match.
            let always = Expr::Value(sqlparser::ast::Value::Boolean(true).into());
            let held = if kind == Kind::Full { &always } else { cond };
            if extend_left {
                let id = self.join_id(held);
                left.rels[l].iter_mut().for_each(|rel| rel.extend(id));
                if let (Kind::Right, Covers::IfNotNull(key)) = (kind, left_matched) {
                    self.keyed.push((id, key));
                }
            }
            if extend_right {
                let id = self.join_id(held);
                left.rels[r].iter_mut().for_each(|rel| rel.extend(id));
                if let (Kind::Left, Covers::IfNotNull(key)) = (kind, right_matched) {
                    self.keyed.push((id, key));
                }
            }
            return left;
        }
        let using: Option<Vec<String>> = match constraint {
            Some(JoinConstraint::Using(names)) => names
                .iter()
                .map(|n| fold_name(n).and_then(|p| p.last().cloned()))
                .collect(),
            Some(JoinConstraint::UsingAlias(..)) => {
                // Too rare to model: nothing is known about this join's columns.
                left.forget();
                right.forget();
                left.star = None;
                None
            }
            Some(JoinConstraint::Natural) => match (left.star_cols(), right.star_cols()) {
                (Some(l), Some(r)) => Some(
                    l.iter()
                        .filter(|c| r.iter().any(|rc| rc.name == c.name))
                        .map(|c| c.name.clone())
                        .collect(),
                ),
                _ => {
                    left.star = None;
                    None
                }
            },
            Some(JoinConstraint::On(_) | JoinConstraint::None) | None => None,
        };
        let merged = using.map(|names| merged_columns(&left, &right, &names, kind));
        // USING's equalities are not modelled as a condition: undoing proves nothing more.
        let none = Expr::Value(sqlparser::ast::Value::Boolean(true).into());
        if matches!(kind, Kind::Right | Kind::Full) {
            let id = self.join_id(&none);
            left.extend(id);
        }
        if matches!(kind, Kind::Left | Kind::Full) {
            let id = self.join_id(&none);
            right.extend(id);
        }
        let Some(merged) = merged else {
            left.append(right);
            return left;
        };
        // JOIN ... USING / NATURAL: `*` is the merged columns, then each side's others.
        let names: Vec<String> = merged.iter().map(|c| c.name.clone()).collect();
        let merged_star: Vec<(usize, usize)> = (0..merged.len()).map(|c| (0, c)).collect();
        let mut out = Source {
            rels: vec![Rel {
                name: None,
                cols: merged,
                known: true,
                ..Rel::default()
            }],
            star: Some(merged_star),
        };
        for mut side in [left, right] {
            side.star = side.star.map(|star| {
                star.into_iter()
                    .filter(|&(r, c)| {
                        side.rels
                            .get(r)
                            .and_then(|rel| rel.cols.get(c))
                            .is_none_or(|col| !names.contains(&col.name))
                    })
                    .collect()
            });
            out.append(side);
        }
        out
    }

    fn factor(&mut self, factor: &TableFactor, scope: &Scope<'_>) -> Source {
        match factor {
            TableFactor::Table {
                name,
                alias,
                args: None,
                with_ordinality: false,
                sample,
                inheritance,
                ..
            } => Source::single(Rel {
                partial: partial_scan(sample.as_ref(), inheritance.as_ref()),
                row: true,
                ..self.named_rel(name, alias.as_ref(), scope)
            }),
            TableFactor::Table {
                name,
                alias,
                args: Some(args),
                with_ordinality,
                ..
            } => self.function_rel(name, &args.args, *with_ordinality, alias.as_ref(), scope),
            TableFactor::Function {
                name,
                args,
                with_ordinality,
                alias,
                ..
            } => self.function_rel(name, args, *with_ordinality, alias.as_ref(), scope),
            TableFactor::UNNEST {
                alias,
                array_exprs,
                with_ordinality,
                with_offset,
                ..
            } => {
                let arrays: Vec<&Expr> = array_exprs.iter().collect();
                let mut cols = self.unnest(&arrays, scope);
                // A one-array unnest's column takes the alias' name.
                if let (Some(a), [only]) = (alias, cols.as_mut_slice())
                    && a.columns.is_empty()
                {
                    only.name = fold(&a.name);
                }
                if *with_ordinality || *with_offset {
                    cols.push(Col::computed("ordinality", false));
                }
                Source::single(aliased("unnest", cols, true, alias.as_ref()))
            }
            TableFactor::Derived {
                subquery, alias, ..
            } => {
                let cols = self.query(subquery, Some(scope));
                let known = cols.is_some();
                Source::single(Rel {
                    row: true,
                    ..aliased("", cols.unwrap_or_default(), known, alias.as_ref())
                })
            }
            TableFactor::NestedJoin {
                table_with_joins,
                alias,
            } => {
                let src = self.table_with_joins(table_with_joins, scope);
                match alias {
                    None => src,
                    Some(_) => {
                        let cols = src.star_cols();
                        let known = cols.is_some();
                        Source::single(aliased("", cols.unwrap_or_default(), known, alias.as_ref()))
                    }
                }
            }
            _ => Source::single(Rel::default()),
        }
    }

    /// A function in FROM: `generate_series` (non-NULL for non-NULL arguments), `unnest`
    /// (elements may be NULL), anything else unknown; `WITH ORDINALITY` adds a non-NULL column.
    fn function_rel(
        &mut self,
        name: &ObjectName,
        args: &[FunctionArg],
        with_ordinality: bool,
        alias: Option<&TableAlias>,
        scope: &Scope<'_>,
    ) -> Source {
        let fname = builtin_name_of(name, self.catalog).unwrap_or_default();
        let nulls: Vec<bool> = args
            .iter()
            .map(|arg| arg_expr(arg).is_none_or(|e| self.expr(e, scope, Ctx::rows())))
            .collect();
        let exprs: Vec<&Expr> = args.iter().filter_map(arg_expr).collect();
        let categories = self.categories(&exprs, scope);
        let (mut cols, known) = match fname.as_str() {
            // Keys and `jsonb` values (a JSON null is not an SQL NULL); `_text` values may be.
            // Strict: a NULL argument gives no rows.
            "jsonb_each" | "json_each" | "jsonb_each_text" | "json_each_text" => (
                vec![
                    Col::computed("key", false),
                    Col::computed("value", fname.ends_with("_text")),
                ],
                true,
            ),
            _ if functions::is_set_returning(&fname, &categories) && exprs.len() == args.len() => {
                // A strict set-returning function gives no rows for a NULL argument.
                let nullable = match functions::scalar_rule(&fname, &categories) {
                    Rule::Never => false,
                    Rule::IfAnyArg => !functions::strict(&fname) && nulls.iter().any(|n| *n),
                    _ => true,
                };
                (vec![Col::computed(fname.clone(), nullable)], true)
            }
            "unnest" if exprs.len() == args.len() => (self.unnest(&exprs, scope), true),
            "unnest" => (
                nulls
                    .iter()
                    .map(|_| Col::computed("unnest", true))
                    .collect(),
                true,
            ),
            _ => (Vec::new(), false),
        };
        if known && with_ordinality {
            cols.push(Col::computed("ordinality", false));
        }
        // A one-column function takes the alias' name as its column name.
        if let (Some(a), [only]) = (alias, cols.as_mut_slice())
            && a.columns.is_empty()
        {
            only.name = fold(&a.name);
        }
        Source::single(aliased(&fname, cols, known, alias))
    }

    /// `unnest`'s columns in FROM: one array's elements, or several arrays side by side, the
    /// shorter ones padded with NULLs — so a column is non-NULL only when its elements are and
    /// its array is an `ARRAY[...]` literal at least as long as every other one.
    fn unnest(&mut self, arrays: &[&Expr], scope: &Scope<'_>) -> Vec<Col> {
        let lengths: Vec<Option<usize>> = arrays.iter().map(|e| literal_length(e)).collect();
        let longest = lengths
            .iter()
            .copied()
            .collect::<Option<Vec<usize>>>()
            .map(|l| l.into_iter().max());
        arrays
            .iter()
            .zip(&lengths)
            .map(|(e, length)| {
                let full = arrays.len() == 1 || longest.is_some_and(|max| *length == max);
                let non_null = full && self.elements(e, scope, Ctx::rows()) == Elements::NonNull;
                Col::computed("unnest", !non_null)
            })
            .collect()
    }

    /// A table, view or CTE by name.
    pub(crate) fn named_rel(
        &mut self,
        name: &ObjectName,
        alias: Option<&TableAlias>,
        scope: &Scope<'_>,
    ) -> Rel {
        let parts = fold_name(name).unwrap_or_default();
        let base = parts.last().cloned().unwrap_or_default();
        if let [single] = parts.as_slice()
            && let Some(cte) = scope.cte(single)
        {
            let known = cte.cols.is_some();
            return aliased(&base, cte.cols.clone().unwrap_or_default(), known, alias);
        }
        let (cols, known, table) = self.relation_columns(name, false);
        Rel {
            table,
            ..aliased(&base, cols, known, alias)
        }
    }

    /// A catalog relation's columns — tables from `attnotnull` (of the rows a scan returns, or
    /// with `inserted`, of a row written into this very table), CHECK constraints and generated
    /// columns; views from their definition — whether they are known, and the table's OID.
    pub(crate) fn relation_columns(
        &mut self,
        name: &ObjectName,
        inserted: bool,
    ) -> (Vec<Col>, bool, Option<u32>) {
        let Some(key) = catalog::key(name) else {
            return (Vec::new(), false, None);
        };
        let relation = match self.catalog.get(&key) {
            Lookup::Found(r) => r,
            Lookup::Absent => return (Vec::new(), false, None),
            Lookup::NotLoaded => {
                if !self.missing.contains(&key) {
                    self.missing.push(key);
                }
                return (Vec::new(), false, None);
            }
        };
        let mut cols = relation.cols(inserted);
        if relation.has_system_columns {
            self.table_facts(relation, &mut cols);
            return (cols, true, Some(relation.oid));
        }
        if let Some(definition) = relation.view.as_deref()
            && self.depth < MAX_VIEW_DEPTH
        {
            self.depth += 1;
            let analysed = self.returning_or_query(definition);
            self.depth -= 1;
            if let Some(analysed) = analysed
                && analysed.len() == cols.len()
            {
                for (c, a) in cols.iter_mut().zip(analysed) {
                    c.nullable = a.nullable;
                    c.elements = a.elements;
                    c.origin = a.origin;
                }
            }
        }
        (cols, true, None)
    }

    /// What a table's CHECK constraints and generated columns prove on top of `attnotnull`.
    fn table_facts(&mut self, relation: &Relation, cols: &mut [Col]) {
        for col in cols.iter_mut().filter(|c| c.nullable) {
            let name = col.name.clone();
            let is_target = |parts: &[String]| matches!(parts, [only] if *only == name);
            let probe = Probe {
                is_target: &is_target,
                expr_target: None,
                catalog: self.catalog,
            };
            if relation.checks.iter().any(|c| probe.eval(c).refuses()) {
                col.nullable = false;
            }
        }
        if relation.has_children {
            return;
        }
        let table = Scope {
            rels: vec![Rel {
                cols: cols.to_vec(),
                known: true,
                ..Rel::default()
            }],
            ..Scope::default()
        };
        for (col, column) in cols.iter_mut().zip(&relation.columns) {
            if col.nullable
                && let Some(generated) = &column.generated
                && !self.expr(generated, &table, Ctx::rows())
            {
                col.nullable = false;
            }
        }
    }

    /// A join id for one NULL-extended side of an outer join whose ON condition is `on`.
    fn join_id(&mut self, on: &Expr) -> u32 {
        let id = u32::try_from(self.on.len()).unwrap_or(u32::MAX);
        self.on.push((id, on.clone()));
        id
    }

    /// Undoes the outer joins along a foreign key (see [`Covers::IfNotNull`]) whose key columns
    /// this level's filter proved NOT NULL: no row of theirs was NULL-extended.
    pub(crate) fn undo_keyed_joins(&self, scope: &mut Scope<'_>) {
        let proved: Vec<u32> = self
            .keyed
            .iter()
            .filter(|(_, key)| {
                key.iter()
                    .all(|parts| scope.column_here(parts).is_some_and(|c| !c.nullable))
            })
            .map(|(id, _)| *id)
            .collect();
        if !proved.is_empty() {
            for rel in &mut scope.rels {
                rel.revert(&proved);
            }
        }
    }

    /// Whether the scalar subquery `q` finds exactly one row: `SELECT ... FROM t WHERE` the
    /// referenced key of `t` equals an enclosing row's NOT NULL foreign key to it.
    pub(crate) fn finds_one_row(&mut self, q: &Query, scope: &Scope<'_>) -> bool {
        if q.with.is_some() || q.limit_clause.is_some() || q.fetch.is_some() {
            return false;
        }
        let SetExpr::Select(s) = q.body.as_ref() else {
            return false;
        };
        let ungrouped =
            matches!(&s.group_by, GroupByExpr::Expressions(g, m) if g.is_empty() && m.is_empty());
        if s.having.is_some() || !ungrouped {
            return false;
        }
        for item in &s.projection {
            match item {
                SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                    if calls_unknown(e, self.catalog) || is_aggregate_call(e, self.catalog) {
                        return false;
                    }
                }
                _ => return false,
            }
        }
        let [from] = s.from.as_slice() else {
            return false;
        };
        let (
            TableFactor::Table {
                name,
                alias,
                args: None,
                with_ordinality: false,
                sample,
                inheritance,
                ..
            },
            true,
        ) = (&from.relation, from.joins.is_empty())
        else {
            return false;
        };
        let Some(cond) = &s.selection else {
            return false;
        };
        let target = Rel {
            partial: partial_scan(sample.as_ref(), inheritance.as_ref()),
            ..self.named_rel(name, alias.as_ref(), scope)
        };
        let outer = Source {
            rels: scope.rels.clone(),
            star: None,
        };
        self.key_covers(&outer, &Source::single(target), cond) == Covers::Always
    }

    /// Whether every row of `from` has a matching row in `to` by `cond`: `to` is a plain scan
    /// of a table without row-level security, and `cond` is exactly the equalities of a foreign
    /// key (validated, not deferrable) of a table scanned in `from` to the columns it references
    /// in `to` — every row when the key's columns are non-NULL there, else every row whose key
    /// is not NULL.
    fn key_covers(&self, from: &Source, to: &Source, cond: &Expr) -> Covers {
        let [target] = to.rels.as_slice() else {
            return Covers::No;
        };
        let Some(referenced) = target.table.and_then(|oid| self.catalog.by_oid(oid)) else {
            return Covers::No;
        };
        if referenced.row_security || target.partial || !target.extended_by.is_empty() {
            return Covers::No;
        }
        let mut pairs = Vec::new();
        if !equalities(cond, &mut pairs) {
            return Covers::No;
        }
        // Resolve every reference among both sides' relations; keep how the referencing
        // column was written.
        let mut rels = from.rels.clone();
        rels.push(target.clone());
        let to_index = rels.len() - 1;
        let mut resolved = Vec::new();
        for (a_parts, b_parts) in &pairs {
            let (Some(a), Some(b)) = (resolve(&rels, a_parts), resolve(&rels, b_parts)) else {
                return Covers::No;
            };
            match (a.0 == to_index, b.0 == to_index) {
                (false, true) => resolved.push(((a, b.1), a_parts)),
                (true, false) => resolved.push(((b, a.1), b_parts)),
                _ => return Covers::No,
            }
        }
        let index_of =
            |rel: &Relation, attnum: i16| rel.columns.iter().position(|c| c.attnum == attnum);
        let mut best = Covers::No;
        for (ri, rel) in from.rels.iter().enumerate() {
            let Some(holder) = rel.table.and_then(|oid| self.catalog.by_oid(oid)) else {
                continue;
            };
            if rel.written || !holder.keys_hold_in_scans {
                continue;
            }
            for key in &holder.foreign_keys {
                if key.references != referenced.oid || key.columns.len() != resolved.len() {
                    continue;
                }
                let wanted: Option<Vec<((usize, usize), usize)>> = key
                    .columns
                    .iter()
                    .zip(&key.referenced)
                    .map(|(c, r)| Some(((ri, index_of(holder, *c)?), index_of(referenced, *r)?)))
                    .collect();
                let Some(wanted) = wanted else { continue };
                if !(wanted.iter().all(|w| resolved.iter().any(|(r, _)| r == w))
                    && resolved.iter().all(|(r, _)| wanted.contains(r)))
                {
                    continue;
                }
                // The key's columns that may be NULL, as written (qualified, so that a
                // filter of the whole level names the same columns).
                let nullable: Vec<&Vec<String>> = resolved
                    .iter()
                    .filter(|(((ri, ci), _), _)| {
                        from.rels[*ri].cols.get(*ci).is_none_or(|c| c.nullable)
                    })
                    .map(|(_, parts)| *parts)
                    .collect();
                if nullable.is_empty() {
                    return Covers::Always;
                }
                if nullable.iter().all(|p| p.len() == 2) {
                    best = Covers::IfNotNull(nullable.into_iter().cloned().collect());
                }
            }
        }
        best
    }
}

/// Whether every row of one side of a join finds a match on the other along a foreign key.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Covers {
    /// Every row: the key's columns are NOT NULL.
    Always,
    /// Every row whose key columns (as written, qualified) are not NULL.
    IfNotNull(Vec<Vec<String>>),
    /// Not known.
    No,
}

/// Collects the column pairs of a condition that is only `a = b` conjuncts between column
/// references; `false` for anything else.
fn equalities(cond: &Expr, out: &mut Vec<(Vec<String>, Vec<String>)>) -> bool {
    match cond {
        Expr::Nested(inner) => equalities(inner, out),
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => equalities(left, out) && equalities(right, out),
        Expr::BinaryOp {
            left,
            op: BinaryOperator::Eq,
            right,
        } => match (column_parts(left), column_parts(right)) {
            (Some(a), Some(b)) => {
                out.push((a, b));
                true
            }
            _ => false,
        },
        _ => false,
    }
}

/// The merged columns of `JOIN ... USING (names)`, before NULL-extension.
fn merged_columns(left: &Source, right: &Source, names: &[String], kind: Kind) -> Vec<Col> {
    let l = left.star_cols().unwrap_or_default();
    let r = right.star_cols().unwrap_or_default();
    names
        .iter()
        .map(|name| {
            let lc = l.iter().find(|c| &c.name == name);
            let rc = r.iter().find(|c| &c.name == name);
            let ln = lc.is_none_or(|c| c.nullable);
            let rn = rc.is_none_or(|c| c.nullable);
            let nullable = match kind {
                // Matched rows have equal, hence non-NULL, values.
                Kind::Inner => lc.is_none() || rc.is_none(),
                Kind::Left => ln,
                Kind::Right => rn,
                Kind::Full => ln || rn,
            };
            let elements = match (lc, rc) {
                (Some(l), Some(r)) => l.elements.or(r.elements),
                _ => Elements::Unknown,
            };
            Col {
                name: name.clone(),
                nullable,
                elements,
                origin: None,
                category: match (lc, rc) {
                    (Some(l), Some(r)) if l.category == r.category => l.category,
                    _ => None,
                },
                domain: lc.is_none_or(|l| l.domain) || rc.is_none_or(|r| r.domain),
            }
        })
        .collect()
}

/// Whether a table scan may miss rows of the table: a `TABLESAMPLE` keeps only some, and
/// `ONLY` leaves out the partitions (where a partitioned table's rows are) and children. Its
/// rows still satisfy the table's constraints; only "the referenced row is there" is lost.
fn partial_scan(sample: Option<&TableSampleKind>, inheritance: Option<&TableInheritance>) -> bool {
    sample.is_some() || matches!(inheritance, Some(TableInheritance::Only { .. }))
}

/// How many elements an `ARRAY[...]` of number, string or boolean literals has (any other
/// element might be an array itself, which `unnest` would flatten).
fn literal_length(e: &Expr) -> Option<usize> {
    match e {
        Expr::Nested(inner) | Expr::Cast { expr: inner, .. } => literal_length(inner),
        Expr::Array(array)
            if array.elem.iter().all(|x| {
                matches!(x, Expr::Value(v) if matches!(v.value,
                    Value::Number(..) | Value::SingleQuotedString(_) | Value::Boolean(_)))
            }) =>
        {
            Some(array.elem.len())
        }
        _ => None,
    }
}

/// A relation under its alias (`AS a(x, y)` renames its first columns).
fn aliased(default: &str, mut cols: Vec<Col>, known: bool, alias: Option<&TableAlias>) -> Rel {
    let name = match alias {
        Some(a) => {
            rename(&mut cols, a.columns.iter().map(|c| fold(&c.name)));
            Some(fold(&a.name))
        }
        None => (!default.is_empty()).then(|| default.to_owned()),
    };
    Rel {
        name,
        cols,
        known,
        ..Rel::default()
    }
}
