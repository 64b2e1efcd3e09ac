//! INSERT, UPDATE and DELETE: the columns of RETURNING (the written row satisfies the table's
//! NOT NULL constraints), and the parameters that flow straight into a NOT NULL column
//! (`INSERT ... VALUES ($1)`, `UPDATE ... SET c = $1`, `ON CONFLICT DO UPDATE SET c = $1`).

use sqlparser::ast::{
    Assignment, AssignmentTarget, Expr, FromTable, ObjectName, OnConflictAction, OnInsert,
    SelectItem, SetExpr, Statement, TableFactor, TableObject, TableWithJoins, UpdateTableFromKind,
    Value,
};

use std::collections::HashMap;

use super::Analyzer;
use super::catalog::{self, Lookup};
use super::expr::Ctx;
use super::filters::narrow;
use super::scope::{Col, Rel, Scope, Source, fold, fold_name};
use crate::ColumnOrigin;

impl<'c> Analyzer<'c> {
    /// The output columns of a statement that is a query or a data-modifying statement.
    pub(crate) fn returning_or_query(&mut self, st: &Statement) -> Option<Vec<Col>> {
        match st {
            Statement::Query(q) => self.query(q, None),
            other => self.returning(other, None),
        }
    }

    /// The RETURNING columns of INSERT, UPDATE or DELETE (empty without RETURNING).
    pub(crate) fn returning(
        &mut self,
        st: &Statement,
        parent: Option<&Scope<'_>>,
    ) -> Option<Vec<Col>> {
        let mut scope = match parent {
            Some(p) => Scope::child(p),
            None => Scope::default(),
        };
        let (source, items) = match st {
            Statement::Insert(ins) => {
                let TableObject::TableName(name) = &ins.table else {
                    return None;
                };
                let alias = ins.table_alias.as_ref().map(|a| fold(&a.alias));
                let mut source = self.target(name, alias, true, true);
                // RETURNING shows the inserted values, when nothing may change them and no
                // existing row may be returned instead (ON CONFLICT DO UPDATE).
                let updates = matches!(&ins.on, Some(OnInsert::OnConflict(c))
                    if matches!(c.action, OnConflictAction::DoUpdate(_)));
                if let (Some(relation), Some(query), false) =
                    (self.plain_table(name), &ins.source, updates)
                    && let Some(values) = self.query(query, Some(&scope))
                {
                    let targets: Vec<Option<usize>> = if ins.columns.is_empty() {
                        (0..relation.columns.len()).map(Some).collect()
                    } else {
                        ins.columns
                            .iter()
                            .map(|c| column_index(&relation.columns, c))
                            .collect()
                    };
                    if targets.iter().all(Option::is_some) && values.len() == targets.len() {
                        for (value, target) in values.iter().zip(targets.into_iter().flatten()) {
                            if let Some(col) = source.rels[0].cols.get_mut(target) {
                                col.nullable &= value.nullable;
                            }
                        }
                    }
                }
                (source, ins.returning.as_deref())
            }
            Statement::Update(up) => {
                let mut source = self.target_of(&up.table, true)?;
                if let Some(
                    UpdateTableFromKind::AfterSet(from) | UpdateTableFromKind::BeforeSet(from),
                ) = &up.from
                {
                    source.append(self.source_of(from, &scope));
                }
                // WHERE sees the old rows (of the table and the FROM list).
                let mut old = source.rels.clone();
                if let Some(cond) = &up.selection {
                    let all = 0..old.len();
                    narrow(self.catalog, &self.on, &mut old, cond, all);
                }
                // RETURNING sees the new row: SET's values over the old rows, the columns it
                // keeps as WHERE left them, generated ones recomputed — unless a trigger or a
                // rule may change it, when only the table's constraints are known.
                let TableFactor::Table { name, .. } = &up.table.relation else {
                    return None;
                };
                if let Some(relation) = self.plain_table(name) {
                    scope.rels = old.clone();
                    let set = self.set_values(&up.assignments, &relation.columns, &scope);
                    if let (Some(set), Some(target), Some(before)) =
                        (set, source.rels.first_mut(), old.first())
                    {
                        for (i, col) in target.cols.iter_mut().enumerate() {
                            let candidate = match set.get(&i) {
                                Some(nullable) => *nullable,
                                None if relation
                                    .columns
                                    .get(i)
                                    .is_some_and(|c| c.generated.is_some()) =>
                                {
                                    true
                                }
                                None => before.cols.get(i).is_none_or(|c| c.nullable),
                            };
                            col.nullable &= candidate;
                        }
                    }
                }
                // The FROM list's rows are the ones WHERE kept.
                for (rel, before) in source.rels.iter_mut().zip(old).skip(1) {
                    *rel = before;
                }
                (source, up.returning.as_deref())
            }
            Statement::Delete(del) => {
                let (FromTable::WithFromKeyword(tables) | FromTable::WithoutKeyword(tables)) =
                    &del.from;
                let [table] = tables.as_slice() else {
                    return None;
                };
                // Deleted rows are old rows, seen with the rows they reference.
                let mut source = self.target_of(table, false)?;
                if let Some(using) = &del.using {
                    source.append(self.source_of(using, &scope));
                }
                // RETURNING gives the deleted rows as WHERE saw them.
                if let Some(cond) = &del.selection {
                    let all = 0..source.rels.len();
                    narrow(self.catalog, &self.on, &mut source.rels, cond, all);
                }
                (source, del.returning.as_deref())
            }
            _ => return None,
        };
        let Some(items) = items else {
            return Some(Vec::new());
        };
        let star = source.star_cols();
        scope.rels = source.rels;
        self.projection(items, &scope, star.as_deref(), Ctx::rows(), 0)
    }

    fn target_of(&mut self, table: &TableWithJoins, written: bool) -> Option<Source> {
        let TableFactor::Table { name, alias, .. } = &table.relation else {
            return None;
        };
        if !table.joins.is_empty() {
            return None;
        }
        Some(self.target(name, alias.as_ref().map(|a| fold(&a.name)), false, written))
    }

    /// The table written to; with `inserted`, its rows are the ones written into it (not its
    /// inheritance children's); with `written`, RETURNING sees new rows (see [`Rel::written`]).
    fn target(
        &mut self,
        name: &ObjectName,
        alias: Option<String>,
        inserted: bool,
        written: bool,
    ) -> Source {
        let (cols, known, table) = self.relation_columns(name, inserted);
        let base = fold_name(name).and_then(|p| p.last().cloned());
        Source::single(Rel {
            name: alias.or(base),
            cols,
            known,
            table,
            written,
            ..Rel::default()
        })
    }

    /// `(parameter index, NOT NULL column)` for every `$n` written straight into a NOT NULL
    /// column of a table.
    pub(crate) fn param_targets(&mut self, st: &Statement) -> Vec<(usize, ColumnOrigin)> {
        let mut out = Vec::new();
        match st {
            Statement::Insert(ins) => {
                let TableObject::TableName(name) = &ins.table else {
                    return out;
                };
                let Some(table) = self.table_columns(name) else {
                    return out;
                };
                let targets: Vec<Option<&Col>> = if ins.columns.is_empty() {
                    table.iter().map(Some).collect()
                } else {
                    ins.columns
                        .iter()
                        .map(|c| {
                            let col = whole_column(c)?;
                            table.iter().find(|t| t.name == col)
                        })
                        .collect()
                };
                if let Some(source) = &ins.source {
                    let rows: Vec<Vec<&Expr>> = match source.body.as_ref() {
                        SetExpr::Values(v) => {
                            v.rows.iter().map(|r| r.content.iter().collect()).collect()
                        }
                        SetExpr::Select(s) if s.from.is_empty() => vec![
                            s.projection
                                .iter()
                                .map(|item| match item {
                                    SelectItem::UnnamedExpr(e)
                                    | SelectItem::ExprWithAlias { expr: e, .. } => Some(e),
                                    _ => None,
                                })
                                .collect::<Option<Vec<_>>>()
                                .unwrap_or_default(),
                        ],
                        _ => Vec::new(),
                    };
                    for row in rows {
                        for (e, target) in row.into_iter().zip(&targets) {
                            push_target(&mut out, e, *target);
                        }
                    }
                }
                if let Some(OnInsert::OnConflict(conflict)) = &ins.on
                    && let OnConflictAction::DoUpdate(update) = &conflict.action
                {
                    assignments(&mut out, &update.assignments, &table);
                }
            }
            Statement::Update(up) => {
                if let TableFactor::Table { name, .. } = &up.table.relation
                    && let Some(table) = self.table_columns(name)
                {
                    assignments(&mut out, &up.assignments, &table);
                }
            }
            _ => {}
        }
        out
    }

    /// The table `name` when RETURNING shows what its INSERT or UPDATE writes (see
    /// [`catalog::Relation::plain_writes`]).
    fn plain_table(&mut self, name: &ObjectName) -> Option<&'c catalog::Relation> {
        let catalog: &'c catalog::Catalog = self.catalog;
        // A user's implicit or assignment cast may change a value on its way into a column.
        if catalog.user_casts_unwritten() {
            return None;
        }
        match catalog.get(&catalog::key(name)?) {
            Lookup::Found(r) if r.plain_writes => Some(r),
            _ => None,
        }
    }

    /// Whether each column SET writes may be NULL (by column index), evaluated over the old
    /// rows in `scope`; `None` when a target is not a column of the table. A target that
    /// writes part of a column (`SET c.field = ...`, `SET (a, b) = (SELECT ...)`'s columns) or
    /// DEFAULT may be NULL.
    fn set_values(
        &mut self,
        list: &[Assignment],
        columns: &[catalog::Column],
        scope: &Scope<'_>,
    ) -> Option<HashMap<usize, bool>> {
        let mut out = HashMap::new();
        for a in list {
            match &a.target {
                AssignmentTarget::ColumnName(name) => {
                    let parts = fold_name(name)?;
                    let i = columns
                        .iter()
                        .position(|c| Some(&c.name) == parts.first())?;
                    let whole = parts.len() == 1 && !is_default(&a.value);
                    let nullable = !whole || self.expr(&a.value, scope, Ctx::rows());
                    out.insert(i, nullable);
                }
                AssignmentTarget::Tuple(names) => {
                    for name in names {
                        let parts = fold_name(name)?;
                        let i = columns
                            .iter()
                            .position(|c| Some(&c.name) == parts.first())?;
                        out.insert(i, true);
                    }
                }
            }
        }
        Some(out)
    }

    /// A base table's columns (views are not followed: their NOT NULL is not the catalog's).
    fn table_columns(&mut self, name: &ObjectName) -> Option<Vec<Col>> {
        let key = catalog::key(name)?;
        match self.catalog.get(&key) {
            Lookup::Found(r) if !r.is_view => Some(r.cols(true)),
            Lookup::NotLoaded => {
                if !self.missing.contains(&key) {
                    self.missing.push(key);
                }
                None
            }
            _ => None,
        }
    }
}

fn assignments(out: &mut Vec<(usize, ColumnOrigin)>, list: &[Assignment], table: &[Col]) {
    for a in list {
        if let AssignmentTarget::ColumnName(name) = &a.target {
            let col = whole_column(name);
            push_target(
                out,
                &a.value,
                table.iter().find(|t| Some(&t.name) == col.as_ref()),
            );
        }
    }
}

/// The column a target list names whole: one part (`c.field` writes a field of `c`).
fn whole_column(name: &ObjectName) -> Option<String> {
    match fold_name(name)?.as_slice() {
        [only] => Some(only.clone()),
        _ => None,
    }
}

/// The index of the column an INSERT's column list names whole.
fn column_index(columns: &[catalog::Column], name: &ObjectName) -> Option<usize> {
    let name = whole_column(name)?;
    columns.iter().position(|c| c.name == name)
}

/// Whether `e` is the keyword DEFAULT (which sqlparser reads as an identifier).
fn is_default(e: &Expr) -> bool {
    matches!(e, Expr::Identifier(i) if i.quote_style.is_none() && i.value.eq_ignore_ascii_case("default"))
}

/// Records `e` when it is a bare `$n` (maybe cast) and `target` is NOT NULL.
fn push_target(out: &mut Vec<(usize, ColumnOrigin)>, e: &Expr, target: Option<&Col>) {
    let Some(target) = target else { return };
    if target.nullable {
        return;
    }
    let Some(index) = placeholder(e) else { return };
    if let Some(origin) = &target.origin
        && !out.iter().any(|(i, _)| *i == index)
    {
        out.push((index, origin.clone()));
    }
}

/// The zero-based index of `$n`, through parentheses and casts.
fn placeholder(e: &Expr) -> Option<usize> {
    match e {
        Expr::Nested(x) | Expr::Cast { expr: x, .. } => placeholder(x),
        Expr::Value(v) => match &v.value {
            Value::Placeholder(p) => p.strip_prefix('$')?.parse::<usize>().ok()?.checked_sub(1),
            _ => None,
        },
        _ => None,
    }
}
