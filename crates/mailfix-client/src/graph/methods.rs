//! Authentication methods (PROTOCOL.md §3): list all, phone list/create/update/delete, email
//! list/create/update.
//!
//! Repeat rules for writes:
//! - POST (create) is not idempotent: once it landed, a repeat fails because the slot is taken
//!   ("one phone per type", "one email method per user"). It is retried only when the service
//!   surely did not process it (429, connection never opened); after an unknown outcome the caller
//!   re-reads the methods before trying again.
//! - PATCH sets a value: repeating it is harmless, so it is retried like a read.
//! - DELETE: repeating it after it landed answers 404, which callers treat as "already absent".

use futures::TryStreamExt as _;
use http::Method;
use serde_json::json;

use super::Graph;
use crate::error::Error;
use crate::ids::{UserKey, encode_segment};
use crate::models::{AuthenticationMethod, EmailMethod, PhoneMethod, PhoneType};
use crate::permission::Permission;
use crate::query::Query;
use crate::retry::RetryMode;

impl Graph {
    fn methods_path(user: &UserKey, kind: &str) -> String {
        format!("{}/authentication/{kind}", user.path())
    }

    async fn list_methods<T>(
        &self,
        user: &UserKey,
        kind: &str,
        op: &'static str,
    ) -> Result<Vec<T>, Error>
    where
        T: serde::de::DeserializeOwned + Send + 'static,
    {
        let path = Self::methods_path(user, kind);
        let req = self.get(&path, &Query::new(), op, Permission::AuthMethodReadAll)?;
        self.items::<T>(req).try_collect().await
    }

    /// Every registered method (`/authentication/methods`), typed by `@odata.type`.
    pub async fn auth_methods(&self, user: &UserKey) -> Result<Vec<AuthenticationMethod>, Error> {
        self.list_methods(user, "methods", "methods.list").await
    }

    /// The phone methods (a phone of a type this client does not know is left out).
    pub async fn phone_methods(&self, user: &UserKey) -> Result<Vec<PhoneMethod>, Error> {
        let items: Vec<serde_json::Value> = self
            .list_methods(user, "phoneMethods", "methods.phone.list")
            .await?;
        Ok(items
            .into_iter()
            .filter_map(|v| serde_json::from_value(v).ok())
            .collect())
    }

    /// Adds a phone method (`phoneNumber` in Graph's `+{country} {number}` form). Not idempotent.
    pub async fn add_phone_method(
        &self,
        user: &UserKey,
        phone_number: &str,
        phone_type: PhoneType,
    ) -> Result<PhoneMethod, Error> {
        let path = Self::methods_path(user, "phoneMethods");
        let req = self
            .request(
                Method::POST,
                &path,
                "methods.phone.create",
                Permission::AuthMethodReadWriteAll,
            )?
            .json(&json!({"phoneNumber": phone_number, "phoneType": phone_type}))?
            .mode(RetryMode::NotIdempotent);
        self.send_json(req).await
    }

    /// Changes the number of an existing phone method.
    pub async fn update_phone_method(
        &self,
        user: &UserKey,
        phone_type: PhoneType,
        phone_number: &str,
    ) -> Result<(), Error> {
        let path = format!(
            "{}/{}",
            Self::methods_path(user, "phoneMethods"),
            phone_type.method_id()
        );
        let req = self
            .request(
                Method::PATCH,
                &path,
                "methods.phone.update",
                Permission::AuthMethodReadWriteAll,
            )?
            .json(&json!({"phoneNumber": phone_number, "phoneType": phone_type}))?;
        self.send_empty(req).await
    }

    /// Deletes a phone method (404 if it is not there).
    pub async fn delete_phone_method(
        &self,
        user: &UserKey,
        phone_type: PhoneType,
    ) -> Result<(), Error> {
        let path = format!(
            "{}/{}",
            Self::methods_path(user, "phoneMethods"),
            phone_type.method_id()
        );
        let req = self.request(
            Method::DELETE,
            &path,
            "methods.phone.delete",
            Permission::AuthMethodReadWriteAll,
        )?;
        self.send_empty(req).await
    }

    /// Adds the email method. Not idempotent.
    pub async fn add_email_method(
        &self,
        user: &UserKey,
        address: &str,
    ) -> Result<EmailMethod, Error> {
        let path = Self::methods_path(user, "emailMethods");
        let req = self
            .request(
                Method::POST,
                &path,
                "methods.email.create",
                Permission::AuthMethodReadWriteAll,
            )?
            .json(&json!({"emailAddress": address}))?
            .mode(RetryMode::NotIdempotent);
        self.send_json(req).await
    }

    /// Changes the address of an existing email method.
    pub async fn update_email_method(
        &self,
        user: &UserKey,
        method_id: &str,
        address: &str,
    ) -> Result<(), Error> {
        let path = format!(
            "{}/{}",
            Self::methods_path(user, "emailMethods"),
            encode_segment(method_id)
        );
        let req = self
            .request(
                Method::PATCH,
                &path,
                "methods.email.update",
                Permission::AuthMethodReadWriteAll,
            )?
            .json(&json!({"emailAddress": address}))?;
        self.send_empty(req).await
    }
}
