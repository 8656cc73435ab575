//! Names across meshenv's named tables: the natural-order key of rows written before it
//! existed, and a free name for things made on the user's behalf (imports).

use sqlx::{AnyConnection, Connection, Row};
use uuid::Uuid;

/// The tables whose rows are listed by name.
const NAMED: [&str; 4] = ["connections", "credentials", "environments", "workspaces"];

/// Fills in `sort_key` (model::text::sort_key) where it is empty: rows written before
/// migration 0013. A thousand rows a transaction. Returns how many it filled.
pub async fn fill_sort_keys(db: &mut AnyConnection) -> Result<u64, sqlx::Error> {
    let mut filled = 0;
    for table in NAMED {
        loop {
            let rows = sqlx::query(&format!(
                "SELECT id, name FROM {table} WHERE sort_key = '' LIMIT 1000"
            ))
            .fetch_all(&mut *db)
            .await?;
            if rows.is_empty() {
                break;
            }
            let mut tx = db.begin().await?;
            for r in &rows {
                let name: String = r.try_get("name")?;
                // Never empty, or this loop would find the row again.
                let key = Some(model::text::sort_key(&name))
                    .filter(|k| !k.is_empty())
                    .unwrap_or_else(|| " ".into());
                sqlx::query(&format!("UPDATE {table} SET sort_key = $1 WHERE id = $2"))
                    .bind(key)
                    .bind(r.try_get::<String, _>("id")?)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            filled += rows.len() as u64;
        }
    }
    Ok(filled)
}

/// `name` if no row of `table` in the organization has it (ignoring case), else the first of
/// "name (2)", "name (3)", ... that is free. Names are cut to `max` characters first.
pub async fn free_name(
    db: &mut AnyConnection,
    table: &'static str,
    org: Uuid,
    name: &str,
    max: usize,
) -> Result<String, sqlx::Error> {
    for n in 1u32.. {
        let suffix = if n == 1 {
            String::new()
        } else {
            format!(" ({n})")
        };
        let keep = max.saturating_sub(suffix.chars().count());
        let candidate: String = name.chars().take(keep).collect::<String>() + &suffix;
        let found = sqlx::query(&format!(
            "SELECT 1 FROM {table} WHERE organization_id = $1 AND name_key = $2"
        ))
        .bind(org.to_string())
        .bind(candidate.to_lowercase())
        .fetch_optional(&mut *db)
        .await?;
        if found.is_none() {
            return Ok(candidate);
        }
    }
    unreachable!("some name is free")
}
