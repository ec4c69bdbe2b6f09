//! Axum's extractors with their rejections turned into our JSON errors.

use axum::extract::FromRequest;
use axum::extract::FromRequestParts;

use crate::error::Error;

/// JSON body; unknown fields, wrong types and bad syntax come back as clear 4xx errors.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(Error))]
pub struct Json<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(Error))]
pub struct Query<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(Error))]
pub struct Path<T>(pub T);

/// A raw upload (e.g. a CSV file), with size and read errors as our JSON errors.
pub struct Upload(pub axum::body::Bytes);

impl<S: Send + Sync> FromRequest<S> for Upload {
    type Rejection = Error;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Error> {
        Ok(Upload(axum::body::Bytes::from_request(req, state).await?))
    }
}
