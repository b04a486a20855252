//! Microsoft Graph errors: `{"error":{"code","message","innerError":{…}}}`. az
//! reads `error.message`, so every failure carries one.

use serde_json::{Value, json};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    #[error("Access token is empty.")]
    MissingToken,
    #[error("Access token validation failure. Invalid audience.")]
    InvalidToken,
    #[error("Insufficient privileges to complete the operation.")]
    Forbidden,
    #[error(
        "Resource '{0}' does not exist or one of its queried reference-property objects are not present."
    )]
    NotFound(String),
    #[error("Invalid request: {0}")]
    BadRequest(String),
    #[error("Unsupported query: {0}")]
    UnsupportedQuery(String),
    #[error("Another object with the same value for property {0} already exists.")]
    Conflict(String),
    #[error("Resource not found for the segment '{0}'.")]
    UnknownSegment(String),
    #[error("An internal server error occurred.")]
    Internal,
}

impl GraphError {
    pub fn code(&self) -> &'static str {
        match self {
            GraphError::MissingToken | GraphError::InvalidToken => "InvalidAuthenticationToken",
            GraphError::Forbidden => "Authorization_RequestDenied",
            GraphError::NotFound(_) => "Request_ResourceNotFound",
            GraphError::BadRequest(_) => "Request_BadRequest",
            GraphError::UnsupportedQuery(_) => "Request_UnsupportedQuery",
            GraphError::Conflict(_) => "Request_MultipleObjectsWithSameKeyValue",
            GraphError::UnknownSegment(_) => "BadRequest",
            GraphError::Internal => "InternalServerError",
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            GraphError::MissingToken | GraphError::InvalidToken => 401,
            GraphError::Forbidden => 403,
            GraphError::NotFound(_) => 404,
            GraphError::BadRequest(_)
            | GraphError::UnsupportedQuery(_)
            | GraphError::UnknownSegment(_) => 400,
            GraphError::Conflict(_) => 400,
            GraphError::Internal => 500,
        }
    }

    pub fn to_body(&self, request_id: &str, date: &str) -> Value {
        json!({"error": {
            "code": self.code(),
            "message": self.to_string(),
            "innerError": {"date": date, "request-id": request_id, "client-request-id": request_id},
        }})
    }
}

impl From<aksemu_core::ArmError> for GraphError {
    fn from(_: aksemu_core::ArmError) -> Self {
        GraphError::Internal
    }
}
