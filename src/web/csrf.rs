//! `CsrfForm<T>`: the data guard of every state-changing form. It reads the urlencoded body,
//! refuses it (403) unless its `csrf_token` field matches the browser's token, then parses `T`.

use rocket::data::{self, Data, FromData, ToByteUnit};
use rocket::form::{Form, FromForm};
use rocket::http::{RawStr, Status};
use rocket::request::Request;

use crate::auth::session;

/// The default form body limit; `limits.form` in Rocket.toml overrides it.
const DEFAULT_FORM_LIMIT_KIB: u64 = 64;

/// A form whose CSRF token was checked; `T` ignores the token field.
pub struct CsrfForm<T>(pub T);

/// The form's token, read apart from `T`; also the whole of forms with no other field
/// (sign-out, delete).
#[derive(FromForm)]
pub struct TokenOnly {
    csrf_token: Option<String>,
}

/// Marks a request refused for its CSRF token, so that the 403 page can say why.
pub struct CsrfRefused(pub bool);

#[rocket::async_trait]
impl<'r, T> FromData<'r> for CsrfForm<T>
where
    T: for<'a> FromForm<'a> + Send + 'static,
{
    type Error = ();

    async fn from_data(request: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        let limit = request
            .limits()
            .get("form")
            .unwrap_or(DEFAULT_FORM_LIMIT_KIB.kibibytes());
        let body = match data.open(limit).into_string().await {
            Ok(body) if body.is_complete() => body.into_inner(),
            Ok(_) => return data::Outcome::Error((Status::PayloadTooLarge, ())),
            Err(_) => return data::Outcome::Error((Status::BadRequest, ())),
        };
        let is_form = request
            .content_type()
            .is_some_and(|content_type| content_type.is_form());
        let body = if is_form { body } else { String::new() };
        let encoded = RawStr::new(&body);
        let sent = Form::<TokenOnly>::parse_encoded(encoded)
            .ok()
            .and_then(|field| field.csrf_token);
        let genuine = match (sent, session::expected_token(request).await) {
            (Some(sent), Some(expected)) => session::tokens_match(&sent, &expected),
            _ => false,
        };
        if !genuine {
            request.local_cache(|| CsrfRefused(true));
            return data::Outcome::Error((Status::Forbidden, ()));
        }
        match Form::<T>::parse_encoded(encoded) {
            Ok(form) => data::Outcome::Success(Self(form)),
            Err(_) => data::Outcome::Error((Status::UnprocessableEntity, ())),
        }
    }
}
