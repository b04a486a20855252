//! Versioned migrations, one transaction per step, embedded in the binary. A
//! database newer than this binary is refused rather than guessed at.

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

pub const SQLITE: &[Migration] = &[
    Migration {
        version: 1,
        name: "documents",
        sql: include_str!("migrations/sqlite/0001_documents.sql"),
    },
    Migration {
        version: 2,
        name: "changes",
        sql: include_str!("migrations/sqlite/0002_changes.sql"),
    },
];

pub const POSTGRES: &[Migration] = &[
    Migration {
        version: 1,
        name: "documents",
        sql: include_str!("migrations/postgres/0001_documents.sql"),
    },
    Migration {
        version: 2,
        name: "changes",
        sql: include_str!("migrations/postgres/0002_changes.sql"),
    },
];

pub const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";

pub fn too_new(current: i64, known: &[Migration]) -> Option<String> {
    let latest = known.last().map(|m| m.version).unwrap_or(0);
    (current > latest).then(|| {
        format!(
            "the database schema is at version {current}, newer than this aksemu knows ({latest})"
        )
    })
}
