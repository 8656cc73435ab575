//! Storage: every SQL statement of meshenv lives below this module. The service layer calls
//! these functions; handlers and components never see SQL.

/// A boolean as SQL both databases read into a BOOLEAN column (the Any driver binds none).
pub(crate) fn bool_sql(b: bool) -> &'static str {
    if b {
        "TRUE"
    } else {
        "FALSE"
    }
}

pub mod assignments;
pub mod audit;
pub mod connections;
pub mod credentials;
pub mod environments;
pub mod health;
pub mod identities;
pub mod names;
pub mod reach;
pub mod sessions;
pub mod teams;
pub mod throttle;
pub mod tokens;
pub mod users;
pub mod workspaces;

use crate::db::Backend;
use model::list::{Direction, ListQuery, SortField};
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::Any;

/// Reads a UUID stored as text.
pub fn uuid_col(row: &sqlx::any::AnyRow, col: &str) -> Result<uuid::Uuid, sqlx::Error> {
    use sqlx::Row;
    let s: String = row.try_get(col)?;
    uuid::Uuid::parse_str(&s).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

/// Reads an object's `id` and `name` columns.
pub fn named_row(row: &sqlx::any::AnyRow) -> Result<model::list::Named, sqlx::Error> {
    use sqlx::Row;
    Ok(model::list::Named {
        id: uuid_col(row, "id")?,
        name: row.try_get("name")?,
    })
}

/// The `role` column of the one row `query` finds for the ids `$1` and `$2` (a membership), if
/// there is one.
pub(crate) async fn role_of(
    db: &mut sqlx::AnyConnection,
    query: &'static str,
    a: uuid::Uuid,
    b: uuid::Uuid,
) -> Result<Option<model::user::Role>, sqlx::Error> {
    use sqlx::Row;
    let row = sqlx::query(query)
        .bind(a.to_string())
        .bind(b.to_string())
        .fetch_optional(&mut *db)
        .await?;
    Ok(row
        .map(|r| r.try_get::<String, _>("role"))
        .transpose()?
        .and_then(|r| model::user::Role::parse(&r)))
}

/// Deletes the row with this id from one of meshenv's tables.
pub async fn delete_by_id(
    db: &mut sqlx::AnyConnection,
    table: &'static str,
    id: uuid::Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query(&format!("DELETE FROM {table} WHERE id = $1"))
        .bind(id.to_string())
        .execute(&mut *db)
        .await?;
    Ok(())
}

/// The names of the rows with these ids in one of meshenv's named tables, 500 ids a statement:
/// for audit events, which keep names beside ids as they were when written.
pub async fn names(
    db: &mut sqlx::AnyConnection,
    table: &'static str,
    ids: &[uuid::Uuid],
) -> Result<std::collections::HashMap<uuid::Uuid, String>, sqlx::Error> {
    use sqlx::Row;
    let mut found = std::collections::HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let mut sql = Sql::new(&format!("SELECT id, name FROM {table} WHERE id IN ("));
        sql.bind_ids(chunk.iter().copied()).push(")");
        for r in sql.query().fetch_all(&mut *db).await? {
            found.insert(uuid_col(&r, "id")?, r.try_get("name")?);
        }
    }
    Ok(found)
}

/// Appends "and the table's `search_text` contains `needle`" (case-insensitive: the text is
/// stored lower-cased). On SQLite a needle of three characters or more goes through the
/// table's trigram FTS5 index; on PostgreSQL the LIKE itself is served by the pg_trgm index.
/// Shorter needles scan, as no trigram index can serve them.
pub fn push_search(sql: &mut Sql, backend: Backend, table: &str, needle: &str) {
    let needle = needle.to_lowercase();
    if backend == Backend::Sqlite && needle.chars().count() >= 3 {
        sql.push(&format!(
            " AND {table}.rowid IN (SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH "
        ))
        .bind(fts_phrase(&needle))
        .push(")");
    } else {
        sql.push(&format!(" AND {table}.search_text LIKE "))
            .bind(crate::db::like_pattern(&needle))
            .push(" ESCAPE '\\'");
    }
}

/// Appends "and the person (`u`, the users table) has `needle` in their name or email"
/// (case-insensitive: the keys are stored lower-cased). The lists of people search this way.
pub fn push_person_search(sql: &mut Sql, needle: &str) {
    let pattern = crate::db::like_pattern(&needle.to_lowercase());
    sql.push(" AND (u.name_key LIKE ")
        .bind(pattern.as_str())
        .push(" ESCAPE '\\' OR u.email_key LIKE ")
        .bind(pattern)
        .push(" ESCAPE '\\')");
}

/// An FTS5 phrase that matches `text` literally: quoted, with its quotes doubled. Under the
/// trigram tokenizer a phrase matches exactly the rows that contain it as a substring.
fn fts_phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// A value bound to a `$n` placeholder.
#[derive(Clone, Debug)]
pub enum Arg {
    Text(String),
    Int(i64),
    NullText,
}

impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(v)
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(v.to_string())
    }
}
impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Int(v)
    }
}
impl From<uuid::Uuid> for Arg {
    fn from(v: uuid::Uuid) -> Self {
        Arg::Text(v.to_string())
    }
}

/// A statement assembled from parts, numbering its placeholders `$1, $2, ...` as values are
/// bound, which both SQLite and PostgreSQL accept.
#[derive(Default, Debug)]
pub struct Sql {
    pub text: String,
    args: Vec<Arg>,
}

/// One page of a list and the count of the whole filtered list: the list's statement is
/// `filtered(select)`, run once with the page's `select` (ordered by `order`, ties broken by
/// `unique`, each row read by `row`) and once counted.
pub(crate) async fn page_and_count<T, F: SortField>(
    db: &mut sqlx::AnyConnection,
    filtered: impl Fn(&str) -> Sql,
    select: &str,
    (order, unique): (&str, &str),
    list: &ListQuery<F>,
    row: impl Fn(&sqlx::any::AnyRow) -> Result<T, sqlx::Error>,
) -> Result<(Vec<T>, u64), sqlx::Error> {
    let mut page = filtered(select);
    page.order_page_by(order, unique, list);
    let items = page.fetch_rows(db, row).await?;
    let total = filtered("SELECT COUNT(*) AS n").count(db).await?;
    Ok((items, total))
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Sql {
            text: text.to_string(),
            args: Vec::new(),
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for `value`.
    pub fn bind(&mut self, value: impl Into<Arg>) -> &mut Self {
        self.args.push(value.into());
        self.text.push_str(&format!("${}", self.args.len()));
        self
    }

    /// Appends the order and the window of a list page. The id breaks ties, so pages never
    /// overlap or skip rows that share a sort value.
    pub fn order_page<F: SortField>(&mut self, column: &str, list: &ListQuery<F>) -> &mut Self {
        self.order_page_by(column, "id", list)
    }

    /// `order_page` with the tie-breaking unique column named (a query that joins tables).
    pub fn order_page_by<F: SortField>(
        &mut self,
        column: &str,
        unique: &str,
        list: &ListQuery<F>,
    ) -> &mut Self {
        let dir = match list.order.direction {
            Direction::Asc => "ASC",
            Direction::Desc => "DESC",
        };
        self.push(&format!(" ORDER BY {column} {dir}, {unique} {dir} LIMIT "))
            .bind(i64::from(list.page_size))
            .push(" OFFSET ")
            .bind(i64::try_from(list.offset()).unwrap_or(i64::MAX))
    }

    /// Appends comma-separated placeholders for ids, as an `IN (...)` list wants them.
    pub fn bind_ids(&mut self, ids: impl IntoIterator<Item = uuid::Uuid>) -> &mut Self {
        for (i, id) in ids.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(id);
        }
        self
    }

    /// Appends a placeholder for a text value that may be NULL.
    pub fn bind_opt(&mut self, value: Option<&str>) -> &mut Self {
        match value {
            Some(v) => self.bind(v),
            None => {
                self.args.push(Arg::NullText);
                self.text.push_str(&format!("${}", self.args.len()));
                self
            }
        }
    }

    /// Runs the statement and reads each row it returns with `row`.
    pub async fn fetch_rows<T>(
        &self,
        db: &mut sqlx::AnyConnection,
        row: impl Fn(&sqlx::any::AnyRow) -> Result<T, sqlx::Error>,
    ) -> Result<Vec<T>, sqlx::Error> {
        self.query()
            .fetch_all(&mut *db)
            .await?
            .iter()
            .map(row)
            .collect()
    }

    /// Runs a `SELECT COUNT(*) AS n ...` statement.
    pub async fn count(&self, db: &mut sqlx::AnyConnection) -> Result<u64, sqlx::Error> {
        use sqlx::Row;
        let n: i64 = self.query().fetch_one(&mut *db).await?.try_get("n")?;
        Ok(n.max(0) as u64)
    }

    pub fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        let mut q = sqlx::query(&self.text);
        for a in &self.args {
            q = match a {
                Arg::Text(s) => q.bind(s.as_str()),
                Arg::Int(i) => q.bind(*i),
                Arg::NullText => q.bind(None::<String>),
            };
        }
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fts_phrases_quote_their_quotes() {
        assert_eq!(fts_phrase(r#"a"b"#), r#""a""b""#);
        assert_eq!(fts_phrase("x*y OR z"), r#""x*y OR z""#);
    }

    #[test]
    fn short_needles_scan_and_longer_ones_use_the_index() {
        let mut s = Sql::new("SELECT 1 FROM t WHERE 1 = 1");
        push_search(&mut s, Backend::Sqlite, "t", "Ab");
        assert!(
            s.text.ends_with("t.search_text LIKE $1 ESCAPE '\\'"),
            "{}",
            s.text
        );
        let mut s = Sql::new("SELECT 1 FROM t WHERE 1 = 1");
        push_search(&mut s, Backend::Sqlite, "t", "Abc");
        assert!(s.text.contains("t_fts MATCH $1"), "{}", s.text);
        let mut s = Sql::new("SELECT 1 FROM t WHERE 1 = 1");
        push_search(&mut s, Backend::Postgres, "t", "Abc");
        assert!(s.text.contains("LIKE $1"), "{}", s.text);
    }

    #[test]
    fn placeholders_are_numbered_in_order() {
        let mut s = Sql::new("SELECT 1 WHERE a = ");
        s.bind("x").push(" AND b = ").bind(2i64);
        assert_eq!(s.text, "SELECT 1 WHERE a = $1 AND b = $2");
        assert_eq!(s.args.len(), 2);
    }
}
