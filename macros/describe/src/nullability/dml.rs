//! INSERT, UPDATE and DELETE: the columns of RETURNING (the written row satisfies the table's
//! NOT NULL constraints), and the parameters that flow straight into a NOT NULL column
//! (`INSERT ... VALUES ($1)`, `UPDATE ... SET c = $1`, `ON CONFLICT DO UPDATE SET c = $1`).

use sqlparser::ast::{
    Assignment, AssignmentTarget, Expr, FromTable, ObjectName, OnConflictAction, OnInsert,
    SelectItem, SetExpr, Statement, TableFactor, TableObject, TableWithJoins, UpdateTableFromKind,
    Value,
};

use super::Analyzer;
use super::catalog::{self, Lookup};
use super::expr::Ctx;
use super::filters::narrow;
use super::scope::{Col, Rel, Scope, Source, fold, fold_name};
use crate::ColumnOrigin;

impl Analyzer<'_> {
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
                (
                    self.target(name, alias, true, true),
                    ins.returning.as_deref(),
                )
            }
            Statement::Update(up) => {
                let mut source = self.target_of(&up.table, true)?;
                if let Some(
                    UpdateTableFromKind::AfterSet(from) | UpdateTableFromKind::BeforeSet(from),
                ) = &up.from
                {
                    source.append(self.source_of(from, &scope));
                }
                // WHERE sees the old row, RETURNING the new one (after any BEFORE trigger):
                // only the FROM list's columns keep what WHERE proves.
                if let Some(cond) = &up.selection {
                    let from = 1..source.rels.len();
                    narrow(self.catalog, &self.on, &mut source.rels, cond, from);
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
        self.projection(items, &scope, star.as_deref(), Ctx::rows())
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
                            let col = fold_name(c)?.last()?.clone();
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
            let col = fold_name(name).and_then(|p| p.last().cloned());
            push_target(
                out,
                &a.value,
                table.iter().find(|t| Some(&t.name) == col.as_ref()),
            );
        }
    }
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
