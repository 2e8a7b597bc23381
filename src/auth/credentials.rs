//! Credentials that end: the credentials version a sign-in hands on to its token or session,
//! changing the password, and signing out everywhere. The version of an account moves on with
//! every password change and every "sign out everywhere"; tokens and sessions carry the version
//! they were issued at, and the guards refuse any that is not the account's current one.

use super::services::{services_guard, Services};
use super::throttle::Throttle;
use super::{ApiUser, AuthError, PageUser};
use crate::domain::fields::{
    reject_unexpected, required_string, FieldErrors, InputError, JsonObject, MISSING,
};
use crate::domain::user::Password;
use crate::repo;

/// The version of a new account (the column's default).
pub const FIRST_VERSION: i64 = 0;

const FIELDS: &[&str] = &["current_password", "new_password"];

/// A request to change a password: the current one (any text, checked against the stored
/// hash) and a new one that follows the password rules.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordChange {
    pub current: String,
    pub new: Password,
}

impl std::fmt::Debug for PasswordChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordChange(<redacted>)")
    }
}

impl PasswordChange {
    /// Parses `{"current_password": "...", "new_password": "..."}`, naming every bad field.
    pub fn from_json(object: &JsonObject) -> Result<Self, InputError> {
        let mut errors = FieldErrors::default();
        reject_unexpected(object, FIELDS, &[], &mut errors);
        let current = required_string(object, "current_password")
            .map_err(|problem| errors.add("current_password", problem))
            .ok();
        let new = required_string(object, "new_password")
            .and_then(Password::parse)
            .map_err(|problem| errors.add("new_password", problem))
            .ok();
        match (current, new) {
            (Some(current), Some(new)) if errors.is_empty() => Ok(Self {
                current: current.to_owned(),
                new,
            }),
            _ => Err(InputError::Invalid(errors)),
        }
    }

    /// Parses the password form of the account page with the same rules and messages; an
    /// empty current password is named (no use checking it).
    pub fn from_form(current: &str, new: &str) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        if current.is_empty() {
            errors.add("current_password", MISSING);
        }
        let new = Password::parse(new)
            .map_err(|problem| errors.add("new_password", problem))
            .ok();
        match new {
            Some(new) if errors.is_empty() => Ok(Self {
                current: current.to_owned(),
                new,
            }),
            _ => Err(errors),
        }
    }
}

/// The account whose credentials change, as a guard found it: its token or session was
/// issued at `version`, still the account's when the guard checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub id: i64,
    pub username: String,
    pub version: i64,
}

impl From<&ApiUser> for Holder {
    fn from(user: &ApiUser) -> Self {
        Self {
            id: user.id,
            username: user.username.clone(),
            version: user.credentials_version,
        }
    }
}

impl From<&PageUser> for Holder {
    fn from(user: &PageUser) -> Self {
        Self {
            id: user.id,
            username: user.username.clone(),
            version: user.credentials_version,
        }
    }
}

/// Reads, changes and ends credentials, with the database, the hasher, the failed sign-in
/// limit, and who is asking.
pub struct CredentialStore<'r>(Services<'r>);

services_guard!(CredentialStore, "the credential services");

impl CredentialStore<'_> {
    /// Replaces the holder's password when `change.current` is it, and ends every token and
    /// session issued before: `WeakPassword` when the new one is too easy to guess (judged
    /// first, so a weak choice costs no hashing), `BadCredentials` for a wrong current password (counted like a
    /// failed sign-in of the account from this client, so a stolen token cannot guess the
    /// password at leisure), `Throttled` past the limit, `Revoked` when the holder's
    /// credentials changed since its guard checked them.
    pub async fn change_password(
        &self,
        holder: &Holder,
        change: &PasswordChange,
    ) -> Result<(), AuthError> {
        let name = &holder.username;
        self.password_policy
            .judge(&change.new, name)
            .map_err(|problem| AuthError::WeakPassword {
                field: "new_password",
                problem,
            })?;
        let stored = {
            let mut db = self.db.acquire().await?;
            if let Some(retry_after) = self.limits.login_wait(&mut db, self.client, name).await? {
                return Err(Throttle::Login.refuse(retry_after));
            }
            repo::users::password_hash_at_version(&mut *db, holder.id, holder.version)
                .await?
                .ok_or(AuthError::Revoked)?
        };
        if !self.hasher.verify(&change.current, Some(stored)).await? {
            let mut db = self.db.acquire().await?;
            self.limits.login_failed(&mut db, self.client, name).await?;
            return Err(AuthError::BadCredentials);
        }
        let hash = self.hasher.hash(&change.new).await?;
        let changed = repo::users::replace_password(
            &mut *self.db.acquire().await?,
            holder.id,
            holder.version,
            &hash,
        )
        .await?;
        if !changed {
            return Err(AuthError::Revoked);
        }
        let mut db = self.db.acquire().await?;
        self.limits
            .login_succeeded(&mut db, self.client, name)
            .await?;
        Ok(())
    }

    /// Ends every token and session of the holder issued before now; `Revoked` when the
    /// account is gone.
    pub async fn sign_out_everywhere(&self, holder: &Holder) -> Result<(), AuthError> {
        if repo::users::end_every_credential(&mut *self.db.acquire().await?, holder.id).await? {
            Ok(())
        } else {
            Err(AuthError::Revoked)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(body: serde_json::Value) -> Result<PasswordChange, InputError> {
        PasswordChange::from_json(body.as_object().unwrap())
    }

    fn errors(body: serde_json::Value) -> FieldErrors {
        match parse(body) {
            Err(InputError::Invalid(errors)) => errors,
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    #[test]
    fn a_password_change_needs_both_passwords_and_a_valid_new_one() {
        let change = parse(json!({"current_password": "x", "new_password": "12345678"})).unwrap();
        assert_eq!(
            (change.current.as_str(), change.new.expose()),
            ("x", "12345678")
        );

        let missing = errors(json!({}));
        assert_eq!(missing.get("current_password").unwrap(), [MISSING]);
        assert_eq!(missing.get("new_password").unwrap(), [MISSING]);

        let weak = errors(json!({"current_password": "x", "new_password": "short"}));
        assert_eq!(
            weak.get("new_password").unwrap(),
            ["Length must be between 8 and 128."]
        );
        assert!(weak.get("current_password").is_none());
    }

    #[test]
    fn a_password_change_names_unknown_fields_and_wrong_types() {
        let body = json!({"current_password": 3, "new_password": "12345678", "password": "x"});
        let errors = errors(body);
        assert_eq!(errors.get("password").unwrap(), ["Unknown field."]);
        assert_eq!(
            errors.get("current_password").unwrap(),
            ["Not a valid string."]
        );
    }

    #[test]
    fn the_password_form_uses_the_rules_of_the_json_body() {
        let errors = PasswordChange::from_form("", "short").unwrap_err();
        assert_eq!(errors.get("current_password").unwrap(), [MISSING]);
        assert_eq!(
            errors.get("new_password").unwrap(),
            ["Length must be between 8 and 128."]
        );
        assert!(PasswordChange::from_form("old", "12345678").is_ok());
    }

    #[test]
    fn passwords_never_show_in_debug_output() {
        let change = PasswordChange::from_form("hunter2hunter2", "hunter3hunter3").unwrap();
        assert!(!format!("{change:?}").contains("hunter"));
    }
}
