//! Prints the OpenAPI document exactly as the server serves it at `/api/v1/openapi.json`.
//! Regenerate the committed copy with: `cargo run --quiet --example openapi > openapi.json`

fn main() {
    println!("{}", job_offers::api::openapi_json());
}
