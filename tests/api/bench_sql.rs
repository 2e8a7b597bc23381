//! The benchmark's reference SQL is the server's. `scripts/bench.sh` runs each
//! `scripts/bench/pg_*.sql` with pgbench as "PostgreSQL alone" for one HTTP request, and
//! reports the server against it; a file that drifted from the server's statements measures
//! something else. Here each file's request goes through the app, pg_stat_statements records
//! what PostgreSQL ran for it, then the file's statements run directly, and the two must be the
//! same statements, the same number of times.

use std::collections::BTreeSet;
use std::path::Path;

use rocket::http::Method;
use serde_json::{json, Value};
use sqlx::{Executor, PgPool, Row};

use crate::helpers::{spawn_app, TestApp, TestUser};

/// Whether a file has the auth guard's user check (`repo::users::exists`, run on every
/// signed-in request) besides the handler's statements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UserCheck {
    /// Everything the request runs, the guard's check included when the route has one.
    Included,
    /// The handler's statements only: the files of signed-in requests whose guard checks the
    /// token in a statement of its own leave that statement out.
    LeftOut,
}

/// A request of the benchmark and the file that stands for it.
struct Reference<'a> {
    file: &'static str,
    method: Method,
    /// The path as bench.sh writes it (`{u}` a user, `{w}` a writer, `{id}` an offer).
    path: &'static str,
    uri: String,
    user: &'a TestUser,
    body: Option<Value>,
    /// The values of the file's pgbench variables for this request.
    variables: Vec<(&'static str, i64)>,
    user_check: UserCheck,
}

/// The accounts and offers of the benchmark's data set, in small: user 1 reads (every read
/// of bench.sh carries user 1's token) and writes, another user's offers are listed and read.
struct Seed {
    writer: TestUser,
    employer: TestUser,
    writers_offer: i64,
    employers_offer: i64,
}

async fn seed(app: &TestApp) -> Seed {
    let writer = app.user("employer1").await;
    let employer = app.user("employer2").await;
    let writers_offer = app
        .publish(&writer, "Backend Engineer", &["rust", "sql"], "Python too")
        .await;
    for (title, skills) in [
        ("Data Engineer", ["python", "rust"]),
        ("Python Developer", ["python", "django"]),
    ] {
        app.publish(&employer, title, &skills, "A python and rust shop")
            .await;
    }
    let employers_offer = app
        .publish(&employer, "Rust Engineer", &["rust", "linux"], "Python too")
        .await;
    Seed {
        writer,
        employer,
        writers_offer,
        employers_offer,
    }
}

/// Every file, with the request bench.sh sets it beside (the Lua script or board path there).
fn references(seed: &Seed) -> Vec<Reference<'_>> {
    let reader = &seed.writer;
    let (u, id) = (seed.employer.id, seed.employers_offer);
    let (w, written) = (seed.writer.id, seed.writers_offer);
    let read = |file, path: &'static str, variables: Vec<(&'static str, i64)>, user_check| {
        let uri = variables
            .iter()
            .fold(path.to_owned(), |uri, (name, value)| {
                uri.replace(&format!("{{{name}}}"), &value.to_string())
            });
        Reference {
            file,
            method: Method::Get,
            path,
            uri,
            user: reader,
            body: None,
            variables,
            user_check,
        }
    };
    vec![
        // get_offer.lua: a random offer of a random user, read with user 1's token.
        // The check of the token is part of the offer's one statement.
        read(
            "pg_get_offer.sql",
            "/api/v1/users/{u}/offers/{id}",
            vec![("u", u), ("id", id)],
            UserCheck::Included,
        ),
        // list_offers.lua: a random user's list, read with user 1's token.
        read(
            "pg_list_offers.sql",
            "/api/v1/users/{u}/offers/",
            vec![("u", u)],
            UserCheck::LeftOut,
        ),
        // create_offer.lua: a new offer by a random writer, with the writer's token.
        Reference {
            file: "pg_create_offer.sql",
            method: Method::Post,
            path: "/api/v1/users/{w}/offers/",
            uri: format!("/api/v1/users/{w}/offers/"),
            user: &seed.writer,
            body: Some(json!({
                "title": "Backend Engineer 4711",
                "description": "We are looking for a pragmatic engineer to join a small team.",
                "skills_list": ["rust", "sql", "docker"],
            })),
            variables: vec![("w", w)],
            user_check: UserCheck::LeftOut,
        },
        // update_offer.lua: a new title and skills for one of a random writer's offers.
        Reference {
            file: "pg_update_offer.sql",
            method: Method::Put,
            path: "/api/v1/users/{w}/offers/{id}",
            uri: format!("/api/v1/users/{w}/offers/{written}"),
            user: &seed.writer,
            body: Some(json!({
                "title": "Senior Backend Engineer 4711",
                "skills_list": ["rust", "sql", "docker", "linux"],
            })),
            variables: vec![("w", w), ("id", written)],
            user_check: UserCheck::LeftOut,
        },
        // get_path.lua over the board paths bench.sh finds in the OpenAPI document; the board
        // has no auth guard, so "included" means: nothing but these statements.
        read(
            "pg_board_api_v1_offers.sql",
            "/api/v1/offers",
            vec![],
            UserCheck::Included,
        ),
        read(
            "pg_board_api_v1_offers_id.sql",
            "/api/v1/offers/{id}",
            vec![("id", id)],
            UserCheck::Included,
        ),
        read(
            "pg_board_api_v1_offers_q_python.sql",
            "/api/v1/offers?q=python",
            vec![],
            UserCheck::Included,
        ),
        read(
            "pg_board_api_v1_offers_skills_rust.sql",
            "/api/v1/offers?skills=rust",
            vec![],
            UserCheck::Included,
        ),
    ]
}

/// bench.sh's name for a board path's SQL: the path and query with every run of characters
/// other than a-z, A-Z and 0-9 as one underscore, trimmed (`tr -cs 'a-zA-Z0-9' '_'`).
fn board_file(path: &str) -> String {
    let mut slug = String::new();
    for character in path.chars() {
        if character.is_ascii_alphanumeric() {
            slug.push(character);
        } else if !slug.ends_with('_') {
            slug.push('_');
        }
    }
    format!("pg_board_{}.sql", slug.trim_matches('_'))
}

fn bench_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/bench"))
}

/// The SQL statements of a pgbench script, with its variables replaced by `values`: one for
/// each variable the script sets (`\set`), the variables it sets from pgbench's `-D` ones.
fn statements(file: &str, values: &[(&'static str, i64)]) -> Vec<String> {
    let script = std::fs::read_to_string(bench_dir().join(file))
        .unwrap_or_else(|error| panic!("scripts/bench/{file}: {error}"));
    let mut set = BTreeSet::new();
    let mut statements = Vec::new();
    let mut pending = String::new();
    for line in script.lines().map(str::trim) {
        if line.is_empty() || line.starts_with("--") {
            continue;
        }
        if let Some(meta) = line.strip_prefix("\\set ") {
            set.extend(meta.split_whitespace().next().map(str::to_owned));
            continue;
        }
        pending.push_str(&substitute(line, values, file));
        pending.push(' ');
        if line.ends_with(';') {
            statements.push(pending.trim().trim_end_matches(';').to_owned());
            pending.clear();
        }
    }
    assert!(
        pending.trim().is_empty(),
        "scripts/bench/{file}: a statement without its ';'"
    );
    let given: BTreeSet<String> = values.iter().map(|(name, _)| (*name).to_owned()).collect();
    assert_eq!(
        set, given,
        "scripts/bench/{file}: the variables it sets are not the ones this test gives values"
    );
    statements
}

/// `line` with each pgbench `:variable` replaced by its value (`::type` casts left alone).
fn substitute(line: &str, values: &[(&'static str, i64)], file: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find(':') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(cast) = after.strip_prefix(':') {
            out.push_str("::");
            rest = cast;
            continue;
        }
        let length = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let name = &after[..length];
        if name.is_empty() {
            out.push(':');
        } else {
            let (_, value) = values
                .iter()
                .find(|(given, _)| *given == name)
                .unwrap_or_else(|| panic!("scripts/bench/{file}: no value for :{name}"));
            out.push_str(&value.to_string());
        }
        rest = &after[length..];
    }
    out.push_str(rest);
    out
}

/// Loads pg_stat_statements into this test's database, or fails saying how to enable it.
async fn enable_statement_statistics(db: &PgPool) {
    let how = "This test compares the statements the server runs with scripts/bench/pg_*.sql \
               through pg_stat_statements. scripts/test.sh starts a PostgreSQL that loads it; \
               for a server of your own (TEST_DATABASE_URL), add \
               shared_preload_libraries = 'pg_stat_statements' to its postgresql.conf (Debian's \
               postgresql package ships the module), restart it, and let the test user CREATE \
               EXTENSION and call pg_stat_statements_reset";
    let preloaded: String = sqlx::query_scalar("SHOW shared_preload_libraries")
        .fetch_one(db)
        .await
        .unwrap();
    assert!(
        preloaded
            .split(',')
            .any(|library| library.trim() == "pg_stat_statements"),
        "the test server does not load pg_stat_statements \
         (shared_preload_libraries = '{preloaded}'). {how}."
    );
    if let Err(error) = db
        .execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        .await
    {
        panic!("CREATE EXTENSION pg_stat_statements failed: {error}. {how}.");
    }
}

/// Forgets what this database ran so far (other tests' databases keep their statistics).
async fn reset_statistics(db: &PgPool) {
    db.execute(
        "SELECT pg_stat_statements_reset(0, \
         (SELECT oid FROM pg_database WHERE datname = current_database()), 0)",
    )
    .await
    .unwrap();
}

/// Waits until every other connection to this database is idle. PostgreSQL records a
/// statement sent with the extended protocol when its transaction ends, at the Sync that the
/// server's driver sends after the rows it has already returned: the response can come before
/// the statistics do. A connection goes idle only once that is done.
async fn settled(db: &PgPool) {
    for _ in 0..500 {
        let busy: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity \
             WHERE datname = current_database() AND backend_type = 'client backend' \
               AND pid <> pg_backend_pid() AND state <> 'idle'",
        )
        .fetch_one(db)
        .await
        .unwrap();
        if busy == 0 {
            return;
        }
        rocket::tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("the connections to the test database stayed busy for 5 s");
}

/// The statements this database ran since the last reset, each with how many times it ran,
/// in the form `normalized` gives them; this test's own bookkeeping (on pg_stat_statements and
/// pg_stat_activity) left out.
async fn statements_run(db: &PgPool) -> Vec<(String, i64)> {
    settled(db).await;
    let rows = sqlx::query(
        "SELECT query, calls FROM pg_stat_statements \
         WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) \
           AND query NOT LIKE '%pg\\_stat\\_%'",
    )
    .fetch_all(db)
    .await
    .unwrap();
    let mut run: Vec<(String, i64)> = rows
        .iter()
        .map(|row| (normalized(row.get("query")), row.get("calls")))
        .collect();
    run.sort();
    run
}

/// A statement with every constant and parameter written `$` and its white space collapsed.
/// pg_stat_statements writes constants as `$n` only in an entry made while parsing: a statement
/// the server prepared before the last reset comes back as sent, constants and all. Parameters
/// lose their number too: the server numbers them in the order it binds them (`update` binds
/// the id first and its SET values last), pg_stat_statements numbers constants in the order
/// they appear.
fn normalized(statement: &str) -> String {
    let mut out = String::new();
    let mut chars = statement.chars().peekable();
    while let Some(character) = chars.next() {
        match character {
            '\'' => {
                // A string constant, '' being a quote inside it.
                while let Some(inside) = chars.next() {
                    if inside == '\'' && chars.next_if_eq(&'\'').is_none() {
                        break;
                    }
                }
                out.push('$');
            }
            '$' => {
                while chars.next_if(char::is_ascii_digit).is_some() {}
                out.push('$');
            }
            '0'..='9' => {
                while chars
                    .next_if(|next| next.is_ascii_digit() || *next == '.')
                    .is_some()
                {}
                out.push('$');
            }
            _ if character.is_alphabetic() || character == '_' => {
                let mut word = String::from(character);
                while let Some(next) = chars.next_if(|next| next.is_alphanumeric() || *next == '_')
                {
                    word.push(next);
                }
                let constant = ["true", "false", "null"]
                    .iter()
                    .any(|keyword| word.eq_ignore_ascii_case(keyword));
                out.push_str(if constant { "$" } else { &word });
            }
            _ if character.is_whitespace() => {
                while chars.next_if(|next| next.is_whitespace()).is_some() {}
                out.push(' ');
            }
            _ => out.push(character),
        }
    }
    out.trim().to_owned()
}

/// `all` less one run of each of `some`, which must all be in it.
fn without(all: &[(String, i64)], some: &[(String, i64)], file: &str) -> Vec<(String, i64)> {
    let mut rest = all.to_vec();
    for (statement, calls) in some {
        let entry = rest
            .iter_mut()
            .find(|(candidate, _)| candidate == statement)
            .unwrap_or_else(|| {
                panic!("{file}: the request did not run the auth guard's {statement:?}: {all:?}")
            });
        assert!(entry.1 >= *calls);
        entry.1 -= calls;
    }
    rest.retain(|(_, calls)| *calls > 0);
    rest
}

fn listed(statements: &[(String, i64)]) -> String {
    statements
        .iter()
        .map(|(statement, calls)| format!("    {calls} × {statement}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[rocket::async_test]
async fn every_benchmark_sql_file_is_what_the_server_runs_for_its_request() {
    let app = spawn_app().await;
    enable_statement_statistics(&app.db).await;
    let seed = seed(&app).await;
    let references = references(&seed);

    // Every file is here, and bench.sh runs each one.
    let on_disk: BTreeSet<String> = std::fs::read_dir(bench_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("pg_") && name.ends_with(".sql"))
        .collect();
    let covered: BTreeSet<String> = references.iter().map(|r| r.file.to_owned()).collect();
    assert_eq!(on_disk, covered, "a pg_*.sql file without its request here");
    let bench = std::fs::read_to_string(bench_dir().join("../bench.sh")).unwrap();
    for reference in &references {
        if reference.file.starts_with("pg_board_") {
            assert_eq!(reference.file, board_file(reference.path));
        } else {
            assert!(
                bench.contains(reference.file),
                "bench.sh never runs {}",
                reference.file
            );
        }
    }

    // The guard's statements: a signed-in request the handler refuses before any query.
    reset_statistics(&app.db).await;
    let refused = app.get("/api/v1/users/0/offers/1", &seed.writer).await;
    assert_eq!(refused.status().code, 404);
    let user_check = statements_run(&app.db).await;
    assert!(!user_check.is_empty(), "the auth guard asks the database");

    let mut differences = Vec::new();
    for reference in &references {
        let file = reference.file;
        let statements = statements(file, &reference.variables);
        reset_statistics(&app.db).await;
        let response = app
            .send(
                reference.method,
                &reference.uri,
                reference.user,
                reference.body.as_ref(),
            )
            .await;
        let status = response.status();
        drop(response);
        assert!(
            status.class().is_success(),
            "{file}: {} {} → {status}",
            reference.method,
            reference.uri
        );
        let mut server = statements_run(&app.db).await;
        if reference.user_check == UserCheck::LeftOut {
            server = without(&server, &user_check, file);
        }

        reset_statistics(&app.db).await;
        // One connection for the whole file, as pgbench runs it: a file with a transaction
        // (BEGIN … FOR UPDATE … COMMIT) spread over the pool's connections would wait on its
        // own lock.
        let mut connection = app.db.acquire().await.unwrap();
        for statement in &statements {
            connection
                .execute(statement.as_str())
                .await
                .unwrap_or_else(|error| panic!("{file}: {statement}: {error}"));
        }
        drop(connection);
        let direct = statements_run(&app.db).await;
        if server != direct {
            differences.push(format!(
                "scripts/bench/{file} stands for {} {} ({}):\n  \
                 the server runs\n{}\n  the file runs\n{}",
                reference.method,
                reference.path,
                match reference.user_check {
                    UserCheck::Included => "every statement",
                    UserCheck::LeftOut => "the auth guard's user check left out",
                },
                listed(&server),
                listed(&direct)
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "{} benchmark file(s) differ from the server's statements; update them from \
         src/repo/*.rs:\n\n{}",
        differences.len(),
        differences.join("\n\n")
    );
}
