//! The layers of `src/` and what each may reference: every path a file names (`use` trees,
//! grouped and nested, and paths in code and attributes, `super::` and `self::` resolved) is
//! checked against the rules below. Comments, strings and `#[cfg(test)]` code do not count.

use std::path::{Path, PathBuf};

/// Files under `scope` (a directory ending in `/`, or one file) never reference a path
/// starting with one of `forbidden` (whole segments: `rocket` is not `rocket_okapi`).
struct Rule {
    scope: &'static str,
    forbidden: &'static [&'static str],
    why: &'static str,
}

const STORAGE_NEVER: &[&str] = &[
    "rocket::http",
    "rocket::response",
    "crate::api",
    "crate::web",
    "crate::http",
    "crate::error",
];

const RULES: &[Rule] = &[
    Rule {
        scope: "src/web/",
        forbidden: &["crate::api"],
        why: "the pages build on the domain and storage, not on the JSON API",
    },
    Rule {
        scope: "src/api/",
        forbidden: &["crate::web"],
        why: "the JSON API builds on the domain and storage, not on the pages",
    },
    Rule {
        scope: "src/domain/",
        forbidden: &[
            "rocket",
            "sqlx",
            "crate::repo",
            "crate::db",
            "crate::auth",
            "crate::api",
            "crate::web",
            "crate::http",
            "crate::error",
        ],
        why: "the domain's rules know neither HTTP nor SQL",
    },
    Rule {
        scope: "src/repo/",
        forbidden: STORAGE_NEVER,
        why: "storage answers with data and database errors, never with HTTP",
    },
    Rule {
        scope: "src/db.rs",
        forbidden: STORAGE_NEVER,
        why: "storage answers with data and database errors, never with HTTP",
    },
    Rule {
        scope: "src/config.rs",
        forbidden: &["crate::auth"],
        why: "configuration is read without the services it configures",
    },
];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Ident(String),
    PathSeparator,
    Punct(char),
}

/// The tokens of Rust source that can make a path, each with its line; comments, string and
/// character literals and lifetimes are dropped.
fn tokens(source: &str) -> Vec<(Token, usize)> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut line = 1;
    let mut i = 0;
    let count_lines = |from: usize, to: usize, line: &mut usize| {
        *line += chars[from..to].iter().filter(|c| **c == '\n').count();
    };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let start = i;
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            loop {
                if chars[i..].starts_with(&['/', '*']) {
                    depth += 1;
                    i += 2;
                } else if chars[i..].starts_with(&['*', '/']) {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            count_lines(start, i, &mut line);
        } else if let Some(after) = raw_string_start(&chars, i) {
            // r"…", r#"…"#, br"…": ends at the quote followed by as many #.
            let hashes = after - i - usize::from(chars[i] == 'b') - 2;
            i = after;
            while !(chars[i] == '"' && chars[i + 1..].iter().take(hashes).all(|h| *h == '#')) {
                i += 1;
            }
            i += 1 + hashes;
            count_lines(start, i, &mut line);
        } else if c == '"' || (c == 'b' && next == Some('"')) {
            i += if c == 'b' { 2 } else { 1 };
            while chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            count_lines(start, i, &mut line);
        } else if c == '\'' {
            // A character literal ('a', '\n', '\u{1F600}') or a lifetime ('a).
            if next == Some('\\') {
                // Past the quote, the backslash and the escaped character ('\'' included).
                i += 3;
                while chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
            }
        } else if c.is_alphabetic() || c == '_' {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            tokens.push((Token::Ident(word), line));
        } else if c == ':' && next == Some(':') {
            tokens.push((Token::PathSeparator, line));
            i += 2;
        } else {
            tokens.push((Token::Punct(c), line));
            i += 1;
        }
    }
    tokens
}

/// Where a raw string's contents begin, when one starts at `i`.
fn raw_string_start(chars: &[char], i: usize) -> Option<usize> {
    let mut j = i;
    if chars.get(j) == Some(&'b') {
        j += 1;
    }
    if chars.get(j) != Some(&'r') || (i > 0 && is_ident_char(chars[i - 1])) {
        return None;
    }
    j += 1;
    while chars.get(j) == Some(&'#') {
        j += 1;
    }
    (chars.get(j) == Some(&'"')).then_some(j + 1)
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn ident(token: Option<&(Token, usize)>) -> Option<&str> {
    match token {
        Some((Token::Ident(word), _)) => Some(word),
        _ => None,
    }
}

/// `tokens` without the items marked `#[cfg(test)]`, and the names of the test-only modules
/// declared as files (`#[cfg(test)] mod fuzz;`).
fn without_test_code(tokens: Vec<(Token, usize)>) -> (Vec<(Token, usize)>, Vec<String>) {
    let cfg_test = [
        Token::Punct('#'),
        Token::Punct('['),
        Token::Ident("cfg".into()),
        Token::Punct('('),
        Token::Ident("test".into()),
        Token::Punct(')'),
        Token::Punct(']'),
    ];
    let mut kept = Vec::new();
    let mut test_modules = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let marked = tokens.len() - i >= cfg_test.len()
            && tokens[i..i + cfg_test.len()]
                .iter()
                .map(|(token, _)| token)
                .eq(cfg_test.iter());
        if !marked {
            kept.push(tokens[i].clone());
            i += 1;
            continue;
        }
        i += cfg_test.len();
        // The item ends at its first `;` or its first balanced `{…}`, whichever comes first.
        let item = i;
        let mut depth = 0;
        while i < tokens.len() {
            match tokens[i].0 {
                Token::Punct('(' | '[') => depth += 1,
                Token::Punct(')' | ']') => depth -= 1,
                Token::Punct(';') if depth == 0 => break,
                Token::Punct('{') if depth == 0 => {
                    let mut braces = 0;
                    loop {
                        match tokens[i].0 {
                            Token::Punct('{') => braces += 1,
                            Token::Punct('}') => braces -= 1,
                            _ => {}
                        }
                        if braces == 0 {
                            break;
                        }
                        i += 1;
                    }
                    break;
                }
                _ => {}
            }
            i += 1;
        }
        let words: Vec<_> = tokens[item..i].iter().map(|(token, _)| token).collect();
        if let [Token::Ident(keyword), Token::Ident(name)] = words.as_slice() {
            if keyword == "mod" {
                test_modules.push(name.clone());
            }
        }
        i += 1;
    }
    (kept, test_modules)
}

/// One path a file names, resolved from the crate root when it starts at `crate`, `self` or
/// `super` or at one of the module's own submodules.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Reference {
    path: Vec<String>,
    line: usize,
}

/// The module path of a file under `src/` (`src/api/offers.rs` is `crate::api::offers`).
fn module_of(relative: &Path) -> Vec<String> {
    let mut module = vec!["crate".to_owned()];
    let parts: Vec<String> = relative
        .with_extension("")
        .iter()
        .skip(1)
        .map(|part| part.to_string_lossy().into_owned())
        .collect();
    for (index, part) in parts.iter().enumerate() {
        let last = index + 1 == parts.len();
        if !(last && ["mod", "lib", "main"].contains(&part.as_str())) {
            module.push(part.clone());
        }
    }
    module
}

fn resolve(path: Vec<String>, module: &[String], children: &[String]) -> Vec<String> {
    match path.first().map(String::as_str) {
        Some("self") => [module, &path[1..]].concat(),
        Some("super") => {
            let supers = path.iter().take_while(|part| *part == "super").count();
            let parent = &module[..module.len().saturating_sub(supers).max(1)];
            [parent, &path[supers..]].concat()
        }
        Some(first) if children.iter().any(|child| child == first) => [module, &path].concat(),
        _ => path,
    }
}

/// The paths of a `use` tree starting at `tokens[i]` (after `use`); returns where it ends.
fn use_tree(
    tokens: &[(Token, usize)],
    mut i: usize,
    prefix: &[String],
    out: &mut Vec<Reference>,
) -> usize {
    let mut path = prefix.to_vec();
    loop {
        match tokens.get(i) {
            Some((Token::PathSeparator, _)) => i += 1,
            Some((Token::Ident(word), line)) if word != "as" => {
                path.push(word.clone());
                i += 1;
                if !matches!(tokens.get(i), Some((Token::PathSeparator, _))) {
                    out.push(Reference { path, line: *line });
                    if ident(tokens.get(i)) == Some("as") {
                        i += 2;
                    }
                    return i;
                }
            }
            Some((Token::Punct('*'), line)) => {
                out.push(Reference { path, line: *line });
                return i + 1;
            }
            Some((Token::Punct('{'), _)) => {
                i += 1;
                while !matches!(tokens.get(i), Some((Token::Punct('}'), _)) | None) {
                    i = use_tree(tokens, i, &path, out);
                    if matches!(tokens.get(i), Some((Token::Punct(','), _))) {
                        i += 1;
                    }
                }
                return i + 1;
            }
            _ => return i,
        }
    }
}

/// Every path `source` names outside comments, strings and test code, resolved as seen from
/// `module`; and the test-only modules it declares.
fn references(source: &str, module: &[String]) -> (Vec<Reference>, Vec<String>) {
    let (tokens, test_modules) = without_test_code(tokens(source));
    let children: Vec<String> = tokens
        .windows(2)
        .filter(|pair| ident(Some(&pair[0])) == Some("mod"))
        .filter_map(|pair| ident(Some(&pair[1])).map(str::to_owned))
        .collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let after_separator = i > 0 && tokens[i - 1].0 == Token::PathSeparator;
        match &tokens[i] {
            (Token::Ident(word), _) if word == "use" && !after_separator => {
                i = use_tree(&tokens, i + 1, &[], &mut found);
            }
            (Token::Ident(word), line) if !after_separator => {
                let mut path = vec![word.clone()];
                let mut j = i + 1;
                while let (Some((Token::PathSeparator, _)), Some(next)) =
                    (tokens.get(j), ident(tokens.get(j + 1)))
                {
                    path.push(next.to_owned());
                    j += 2;
                }
                if path.len() > 1 {
                    found.push(Reference { path, line: *line });
                }
                i = j;
            }
            _ => i += 1,
        }
    }
    for reference in &mut found {
        reference.path = resolve(std::mem::take(&mut reference.path), module, &children);
    }
    (found, test_modules)
}

fn starts_with(path: &[String], forbidden: &str) -> bool {
    let forbidden: Vec<&str> = forbidden.split("::").collect();
    path.len() >= forbidden.len() && path.iter().zip(&forbidden).all(|(a, b)| a == b)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            out.push(path);
        }
    }
}

/// `path:line: text` for every reference a rule forbids, grouped by rule.
fn violations(root: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut scanned = Vec::new();
    let mut test_only = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(root).unwrap().to_path_buf();
        let source = std::fs::read_to_string(file).unwrap();
        let module = module_of(&relative);
        let (found, test_modules) = references(&source, &module);
        let directory = relative.parent().unwrap().to_path_buf();
        // `mod name;` in a/mod.rs or a.rs is a/name.rs or a/name/mod.rs.
        let own_dir = match relative.file_stem().and_then(|stem| stem.to_str()) {
            Some("mod" | "lib" | "main") => directory,
            Some(stem) => directory.join(stem),
            None => directory,
        };
        for name in test_modules {
            test_only.push(own_dir.join(format!("{name}.rs")));
            test_only.push(own_dir.join(&name).join("mod.rs"));
        }
        scanned.push((relative, source, found));
    }
    let mut report = Vec::new();
    for rule in RULES {
        for (relative, source, found) in &scanned {
            let shown = relative.to_string_lossy().replace('\\', "/");
            let in_scope = match rule.scope.strip_suffix('/') {
                Some(_) => shown.starts_with(rule.scope),
                None => shown == rule.scope,
            };
            if !in_scope || test_only.contains(relative) {
                continue;
            }
            let lines: Vec<&str> = source.lines().collect();
            let mut seen = Vec::new();
            for reference in found {
                let Some(forbidden) = rule
                    .forbidden
                    .iter()
                    .find(|forbidden| starts_with(&reference.path, forbidden))
                else {
                    continue;
                };
                if seen.contains(&reference.line) {
                    continue;
                }
                seen.push(reference.line);
                report.push(format!(
                    "{shown}:{}: {}    [{forbidden} in {}: {}]",
                    reference.line,
                    lines[reference.line - 1].trim(),
                    rule.scope,
                    rule.why
                ));
            }
        }
    }
    report
}

#[test]
fn every_layer_references_only_what_its_rules_allow() {
    let found = violations(Path::new(env!("CARGO_MANIFEST_DIR")));
    assert!(
        found.is_empty(),
        "{} reference(s) across the layers of src/ (rules at the top of \
         tests/api/architecture.rs):\n{}",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn the_path_scan_sees_grouped_nested_relative_and_inline_paths_but_not_comments_strings_or_tests() {
    let source = r##"
        //! Mentions crate::web in a doc comment.
        use crate::{db::Db, domain::{board, offer::Offer as O}};
        use super::super::web::page;
        use self::inner::Thing;
        use rocket_okapi::openapi;
        mod inner;
        /* a block comment naming crate::api */
        fn handler() -> sqlx::Result<()> {
            let text = "crate::api::hidden";
            let raw = r#"crate::api::also_hidden"#;
            let c = '"';
            let _ = inner::helper();
            #[rocket::async_trait]
            impl X for Y {}
            crate::error::ApiError::Forbidden
        }
        #[cfg(test)]
        mod tests {
            use crate::api::visible_only_to_tests;
        }
        #[cfg(test)]
        mod fuzz;
    "##;
    let module = ["crate", "api", "offers"].map(str::to_owned);
    let (found, test_modules) = references(source, &module);
    let paths: Vec<(String, usize)> = found
        .iter()
        .map(|reference| (reference.path.join("::"), reference.line))
        .collect();
    assert_eq!(
        paths,
        [
            ("crate::db::Db".to_owned(), 3),
            ("crate::domain::board".to_owned(), 3),
            ("crate::domain::offer::Offer".to_owned(), 3),
            ("crate::web::page".to_owned(), 4),
            ("crate::api::offers::inner::Thing".to_owned(), 5),
            ("rocket_okapi::openapi".to_owned(), 6),
            ("sqlx::Result".to_owned(), 9),
            ("crate::api::offers::inner::helper".to_owned(), 13),
            ("rocket::async_trait".to_owned(), 14),
            ("crate::error::ApiError::Forbidden".to_owned(), 16),
        ]
    );
    assert_eq!(test_modules, ["fuzz"]);
    assert!(
        !starts_with(&found[5].path, "rocket"),
        "rocket_okapi is not rocket"
    );
    assert!(starts_with(&found[8].path, "rocket"));
}
