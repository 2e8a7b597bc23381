#[rocket::launch]
fn launch() -> _ {
    job_offers::rocket()
}
