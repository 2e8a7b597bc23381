//! The board page's links, over the shared `BoardFilters`: pages of a query, an employer's
//! offers, and the problems of a query that did not parse.

use crate::domain::board::CURRENCY_REQUIRED;
use crate::domain::FieldErrors;
use crate::http::board_links::BoardFilters;
use crate::repo::board::BoardPage;
use crate::web::paths;

/// The board page with `filters`, at `cursor` (the first page without one).
pub fn board_href(filters: &BoardFilters, cursor: Option<&str>) -> String {
    filters.link(paths::BOARD, cursor)
}

/// The board of one employer's offers.
pub fn employer_href(username: &str) -> String {
    board_href(&BoardFilters::employer(username), None)
}

/// The page after `results`, when there is one.
pub fn next_href(filters: &BoardFilters, results: &BoardPage) -> Option<String> {
    let next = results.next_cursor()?;
    Some(board_href(filters, Some(&next.encode())))
}

/// The page before `results`: keyed on its first offer, or the first page when this one has
/// emptied since (its offers deleted).
pub fn previous_href(filters: &BoardFilters, results: &BoardPage) -> Option<String> {
    if !results.has_previous {
        return None;
    }
    Some(match results.previous_cursor() {
        Some(cursor) => board_href(filters, Some(&cursor.encode())),
        None => board_href(filters, None),
    })
}

/// Each bad parameter in words a visitor can act on.
pub fn problems(errors: &FieldErrors) -> Vec<String> {
    errors
        .first_per_field()
        .into_iter()
        .map(|(field, problem)| match field.as_str() {
            "q" => format!("Search: {problem}"),
            "skills" => format!("Skills: {problem}"),
            "employer" => format!("Employer: {problem}"),
            "workplace" => format!("Workplace: {problem}"),
            "employment_type" => format!("Employment type: {problem}"),
            "country" => format!("Country: {problem}"),
            "salary_min" => format!("Minimum salary: {problem}"),
            "currency" if problem == CURRENCY_REQUIRED => {
                "Minimum salary: choose its currency too.".to_owned()
            }
            "currency" => format!("Currency: {problem}"),
            "posted_within" => format!("Posted within: {problem}"),
            "sort" => format!("Sort: {problem}"),
            "limit" => format!("Results per page: {problem}"),
            "cursor" => "Page link: it does not belong to this search, or it was cut short. \
                         Start again from the first page."
                .to_owned(),
            other => format!("{other}: {problem}"),
        })
        .collect()
}

/// The parameters the filter controls set (the others are the search box's, or the page's).
const CONTROLLED: [&str; 7] = [
    "workplace",
    "employment_type",
    "country",
    "salary_min",
    "currency",
    "posted_within",
    "sort",
];

/// Whether a problem is in one of the filter controls.
pub fn in_controls(errors: &FieldErrors) -> bool {
    errors
        .field_names()
        .any(|field| CONTROLLED.contains(&field))
}
