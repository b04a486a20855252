//! The ARM error: a closed set of the failures aksemu reports, each with Azure's
//! `code`, HTTP status and message. Rendering to the `{"error":{…}}` envelope
//! happens in one place (`to_body`), used by the HTTP layer.

use serde_json::{Value, json};

/// Who was refused which linked action, for `LinkedAuthorizationFailed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedDenial {
    pub client_id: String,
    pub object_id: String,
    pub action: String,
    pub scope: String,
    pub linked_action: String,
    pub linked_scope: String,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ArmError {
    #[error("The api-version query parameter (?api-version=) is required for all requests.")]
    MissingApiVersionParameter,
    #[error("The content media type '{0}' is not supported. Only 'application/json' is supported.")]
    UnsupportedMediaType(String),
    #[error(
        "The api-version '{0}' is invalid. The supported versions are in the format 'YYYY-MM-DD' or 'YYYY-MM-DD-preview'."
    )]
    InvalidApiVersionParameter(String),
    #[error("Authentication failed. The 'Authorization' header is missing.")]
    AuthenticationFailedMissingToken,
    #[error("Authentication failed. The 'Authorization' header is provided in an invalid format.")]
    AuthenticationFailedInvalidHeader,
    #[error("The access token is invalid.")]
    InvalidAuthenticationToken,
    #[error(
        "The access token expiry UTC time '{expired_at}' is earlier than current UTC time '{now}'."
    )]
    ExpiredAuthenticationToken { expired_at: String, now: String },
    #[error(
        "The access token is not yet valid: its 'nbf' UTC time '{not_before}' is later than current UTC time '{now}'."
    )]
    AuthenticationTokenNotYetValid { not_before: String, now: String },
    #[error(
        "The access token has been obtained for wrong audience or resource '{0}'. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.core.windows.net','https://management.azure.com/','https://management.azure.com'."
    )]
    InvalidAuthenticationTokenAudience(String),
    #[error(
        "The access token is from the wrong issuer '{0}'. It must match the tenant associated with this subscription. Please use the authority (URL) 'https://sts.windows.net/{1}/' to get the token."
    )]
    InvalidAuthenticationTokenTenant(String, String),
    #[error(
        "The client '{client_id}' with object id '{object_id}' does not have authorization to perform action '{action}' over scope '{scope}' or the scope is invalid. If access was recently granted, please refresh your credentials."
    )]
    AuthorizationFailed {
        client_id: String,
        object_id: String,
        action: String,
        scope: String,
        explanation: Vec<Value>,
    },
    #[error("The subscription '{0}' could not be found.")]
    SubscriptionNotFound(String),
    #[error("Resource group '{0}' could not be found.")]
    ResourceGroupNotFound(String),
    #[error(
        "The Resource '{resource_type}/{name}' under resource group '{group}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"
    )]
    ResourceNotFound {
        resource_type: String,
        name: String,
        group: String,
    },
    #[error("The resource namespace '{0}' is invalid.")]
    InvalidResourceNamespace(String),
    #[error(
        "The resource type '{resource_type}' could not be found in the namespace '{namespace}' for api version '{api_version}'."
    )]
    InvalidResourceType {
        namespace: String,
        resource_type: String,
        api_version: String,
    },
    #[error("The requested resource does not support http method '{0}'.")]
    UnsupportedHttpMethod(String),
    #[error("The resource id '{0}' is invalid.")]
    InvalidResourceId(String),
    #[error("The request content was invalid and could not be deserialized: '{0}'.")]
    InvalidRequestContent(String),
    #[error("The location property is required for this definition.")]
    LocationRequired,
    #[error(
        "The provided location '{0}' is not available for resource group. List of available regions is '{1}'."
    )]
    LocationNotAvailableForResourceGroup(String, String),
    #[error(
        "Invalid resource group location '{requested}'. The Resource group already exists in location '{existing}'."
    )]
    InvalidResourceGroupLocation { requested: String, existing: String },
    #[error(
        "Resource group '{0}' is invalid. The name can contain only alphanumeric characters, periods, underscores, hyphens and parenthesis, cannot end in a period, and must be between 1 and 90 characters long."
    )]
    InvalidResourceGroup(String),
    #[error(
        "The resource group '{0}' is in deprovisioning state and cannot perform this operation."
    )]
    ResourceGroupBeingDeleted(String),
    #[error("The condition specified using HTTP conditional header(s) is not met.")]
    PreconditionFailed,
    #[error("The operation '{0}' could not be found.")]
    OperationNotFound(String),
    #[error(
        "The request failed because the resource was changed by another request at the same time. Please retry."
    )]
    ConcurrentUpdate,
    #[error(
        "Too many Federated Identity Credentials are written concurrently for the managed identity '{0}'."
    )]
    ConcurrentFederatedIdentityCredentialsWrites(String),
    #[error("The role assignment already exists.")]
    RoleAssignmentExists,
    #[error("Tenant ID, application ID, principal ID, and scope are not allowed to be updated.")]
    RoleAssignmentUpdateNotPermitted,
    #[error("The role assignment '{0}' is not found.")]
    RoleAssignmentNotFound(String),
    #[error("The role assignment ID '{0}' is not valid. The role assignment ID must be a GUID.")]
    InvalidRoleAssignmentId(String),
    #[error(
        "Principal {0} does not exist in the directory {1}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group. See https://aka.ms/docs-principaltype"
    )]
    PrincipalNotFound(String, String),
    #[error("The principal ID '{0}' is not valid. Principal ID must be a GUID.")]
    InvalidPrincipalId(String),
    #[error("No more role assignments can be created for this subscription: the limit is {0}.")]
    RoleAssignmentLimitExceeded(usize),
    #[error("The specified role definition with ID '{0}' does not exist.")]
    RoleDefinitionDoesNotExist(String),
    #[error(
        "A custom role with the same name '{0}' already exists in this directory. Use a different name."
    )]
    RoleDefinitionWithSameNameExists(String),
    #[error("There are existing role assignments referencing role '{0}'.")]
    RoleDefinitionHasAssignments(String),
    #[error("The role {role} is not available for assignment at the requested scope.")]
    RoleAssignmentScopeNotAssignableToRoleDefinition { role: String },
    #[error("The role definition is invalid: {0}")]
    InvalidRoleDefinition(String),
    #[error("The filter '{0}' is not supported.")]
    InvalidFilter(String),
    #[error(
        "The provided location '{0}' is not available for resource type '{1}'. List of available regions for the resource type is '{2}'."
    )]
    LocationNotAvailableForResourceType(String, String, String),
    #[error(
        "The resource '{name}' already exists in location '{existing}' in resource group '{group}'. A resource with the same name cannot be created in location '{requested}'. Please select a new resource name."
    )]
    InvalidResourceLocation {
        name: String,
        existing: String,
        group: String,
        requested: String,
    },
    #[error("The client '{}' with object id '{}' has permission to perform action '{}' on scope '{}'; however, it does not have permission to perform action '{}' on the linked scope(s) '{}' or the linked scope(s) are invalid.", .0.client_id, .0.object_id, .0.action, .0.scope, .0.linked_action, .0.linked_scope)]
    LinkedAuthorizationFailed(Box<LinkedDenial>),
    #[error(
        "Property id '{0}' at path 'identity.userAssignedIdentities' is invalid. Expect fully qualified resource Id that start with '/subscriptions/{{subscriptionId}}' or '/providers/{{resourceProviderNamespace}}/'."
    )]
    LinkedInvalidPropertyId(String),
    #[error(
        "The identity type '{0}' is not supported. Supported values are 'SystemAssigned', 'UserAssigned', 'SystemAssigned, UserAssigned' and 'None'."
    )]
    InvalidIdentityType(String),
    /// AKS's `InvalidParameter`: one field of the request is wrong.
    #[error("{message}")]
    InvalidParameter { target: String, message: String },
    /// AKS's generic 400 (`BadRequest`), e.g. an identity change AKS refuses.
    #[error("{0}")]
    BadRequest(String),
    #[error(
        "Version {version} is not supported in this region. Please use [az aks get-versions] command to get the supported version list in this region. For more information, please check https://aka.ms/supported-version-list"
    )]
    K8sVersionNotSupported { version: String },
    #[error("{0}")]
    ChangeKubeletIdentityNotAllowed(String),
    #[error(
        "The cluster using user-assigned managed identity must be granted 'Managed Identity Operator' role to assign kubelet identity. You can run 'az role assignment create --assignee {client_id} --role 'Managed Identity Operator' --scope {kubelet_id}' to grant the permission. See https://aka.ms/aks/kubelet-identity"
    )]
    CustomKubeletIdentityMissingPermission {
        client_id: String,
        kubelet_id: String,
    },
    #[error(
        "Custom kubelet identity is only supported on clusters with a user-assigned control plane identity. Please see https://aka.ms/aks/kubelet-identity"
    )]
    CustomKubeletIdentityOnlySupportedOnUserAssignedMsiCluster,
    #[error("{0}")]
    OperationNotAllowed(String),
    #[error("{0}")]
    NodeResourceGroupAlreadyExists(String),
    #[error("The server encountered an internal error. Please retry the request.")]
    InternalServerError,
}

impl ArmError {
    pub fn code(&self) -> &'static str {
        use ArmError::*;
        match self {
            MissingApiVersionParameter => "MissingApiVersionParameter",
            UnsupportedMediaType(_) => "UnsupportedMediaType",
            InvalidApiVersionParameter(_) => "InvalidApiVersionParameter",
            AuthenticationFailedMissingToken | AuthenticationFailedInvalidHeader => {
                "AuthenticationFailed"
            }
            InvalidAuthenticationToken => "InvalidAuthenticationToken",
            ExpiredAuthenticationToken { .. } => "ExpiredAuthenticationToken",
            AuthenticationTokenNotYetValid { .. } => "InvalidAuthenticationToken",
            InvalidAuthenticationTokenAudience(_) => "InvalidAuthenticationTokenAudience",
            InvalidAuthenticationTokenTenant(..) => "InvalidAuthenticationTokenTenant",
            AuthorizationFailed { .. } => "AuthorizationFailed",
            SubscriptionNotFound(_) => "SubscriptionNotFound",
            ResourceGroupNotFound(_) => "ResourceGroupNotFound",
            ResourceNotFound { .. } => "ResourceNotFound",
            InvalidResourceNamespace(_) => "InvalidResourceNamespace",
            InvalidResourceType { .. } => "InvalidResourceType",
            UnsupportedHttpMethod(_) => "UnsupportedHttpMethod",
            InvalidResourceId(_) => "InvalidResourceId",
            InvalidRequestContent(_) => "InvalidRequestContent",
            LocationRequired => "LocationRequired",
            LocationNotAvailableForResourceGroup(..) => "LocationNotAvailableForResourceGroup",
            InvalidResourceGroupLocation { .. } => "InvalidResourceGroupLocation",
            InvalidResourceGroup(_) => "InvalidResourceGroup",
            ResourceGroupBeingDeleted(_) => "ResourceGroupBeingDeleted",
            PreconditionFailed => "PreconditionFailed",
            OperationNotFound(_) => "OperationNotFound",
            ConcurrentUpdate => "Conflict",
            ConcurrentFederatedIdentityCredentialsWrites(_) => {
                "ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity"
            }
            RoleAssignmentExists => "RoleAssignmentExists",
            RoleAssignmentUpdateNotPermitted => "RoleAssignmentUpdateNotPermitted",
            RoleAssignmentNotFound(_) => "RoleAssignmentNotFound",
            InvalidRoleAssignmentId(_) => "InvalidRoleAssignmentId",
            PrincipalNotFound(..) => "PrincipalNotFound",
            InvalidPrincipalId(_) => "InvalidPrincipalId",
            RoleAssignmentLimitExceeded(_) => "RoleAssignmentLimitExceeded",
            RoleDefinitionDoesNotExist(_) => "RoleDefinitionDoesNotExist",
            RoleDefinitionWithSameNameExists(_) => "RoleDefinitionWithSameNameExists",
            RoleDefinitionHasAssignments(_) => "RoleDefinitionHasAssignments",
            RoleAssignmentScopeNotAssignableToRoleDefinition { .. } => {
                "RoleAssignmentScopeNotAssignableToRoleDefinition"
            }
            InvalidRoleDefinition(_) => "InvalidRoleDefinition",
            InvalidFilter(_) => "InvalidFilter",
            LocationNotAvailableForResourceType(..) => "LocationNotAvailableForResourceType",
            InvalidResourceLocation { .. } => "InvalidResourceLocation",
            LinkedAuthorizationFailed(_) => "LinkedAuthorizationFailed",
            LinkedInvalidPropertyId(_) => "LinkedInvalidPropertyId",
            InvalidIdentityType(_) => "InvalidIdentityType",
            InvalidParameter { .. } => "InvalidParameter",
            BadRequest(_) => "BadRequest",
            K8sVersionNotSupported { .. } => "K8sVersionNotSupported",
            ChangeKubeletIdentityNotAllowed(_) => "ChangeKubeletIdentityNotAllowed",
            CustomKubeletIdentityMissingPermission { .. } => {
                "CustomKubeletIdentityMissingPermissionError"
            }
            CustomKubeletIdentityOnlySupportedOnUserAssignedMsiCluster => {
                "CustomKubeletIdentityOnlySupportedOnUserAssignedMSICluster"
            }
            OperationNotAllowed(_) => "OperationNotAllowed",
            NodeResourceGroupAlreadyExists(_) => "NodeResourceGroupAlreadyExists",
            InternalServerError => "InternalServerError",
        }
    }

    pub fn status(&self) -> u16 {
        use ArmError::*;
        match self {
            MissingApiVersionParameter
            | InvalidApiVersionParameter(_)
            | InvalidResourceNamespace(_)
            | InvalidResourceId(_)
            | InvalidRequestContent(_)
            | LocationRequired
            | LocationNotAvailableForResourceGroup(..)
            | InvalidResourceGroup(_)
            | RoleAssignmentUpdateNotPermitted
            | InvalidRoleAssignmentId(_)
            | PrincipalNotFound(..)
            | InvalidPrincipalId(_)
            | RoleAssignmentLimitExceeded(_)
            | InvalidRoleDefinition(_)
            | RoleAssignmentScopeNotAssignableToRoleDefinition { .. }
            | InvalidFilter(_)
            | LocationNotAvailableForResourceType(..)
            | LinkedInvalidPropertyId(_)
            | InvalidIdentityType(_)
            | InvalidParameter { .. }
            | BadRequest(_)
            | K8sVersionNotSupported { .. }
            | ChangeKubeletIdentityNotAllowed(_)
            | CustomKubeletIdentityMissingPermission { .. }
            | CustomKubeletIdentityOnlySupportedOnUserAssignedMsiCluster
            | NodeResourceGroupAlreadyExists(_) => 400,
            AuthenticationFailedMissingToken
            | AuthenticationFailedInvalidHeader
            | InvalidAuthenticationToken
            | ExpiredAuthenticationToken { .. }
            | AuthenticationTokenNotYetValid { .. }
            | InvalidAuthenticationTokenAudience(_)
            | InvalidAuthenticationTokenTenant(..) => 401,
            AuthorizationFailed { .. } | LinkedAuthorizationFailed(_) => 403,
            SubscriptionNotFound(_)
            | ResourceGroupNotFound(_)
            | ResourceNotFound { .. }
            | InvalidResourceType { .. }
            | OperationNotFound(_)
            | RoleAssignmentNotFound(_)
            | RoleDefinitionDoesNotExist(_) => 404,
            UnsupportedHttpMethod(_) => 405,
            UnsupportedMediaType(_) => 415,
            InvalidResourceGroupLocation { .. }
            | ResourceGroupBeingDeleted(_)
            | ConcurrentUpdate
            | ConcurrentFederatedIdentityCredentialsWrites(_)
            | RoleAssignmentExists
            | RoleDefinitionWithSameNameExists(_)
            | RoleDefinitionHasAssignments(_)
            | InvalidResourceLocation { .. }
            | OperationNotAllowed(_) => 409,
            PreconditionFailed => 412,
            InternalServerError => 500,
        }
    }

    /// True for the 401 family: the response must carry `WWW-Authenticate`.
    pub fn is_authentication(&self) -> bool {
        self.status() == 401
    }

    /// The ARM error envelope.
    pub fn to_body(&self) -> Value {
        let mut error = json!({ "code": self.code(), "message": self.to_string() });
        if let ArmError::InvalidParameter { target, .. } = self {
            error["target"] = json!(target);
        }
        if let ArmError::AuthorizationFailed { explanation, .. } = self
            && !explanation.is_empty()
        {
            error["additionalInfo"] = json!([{
                "type": "AksemuAuthorizationExplanation",
                "info": { "assignmentsConsidered": explanation }
            }]);
        }
        json!({ "error": error })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_has_code_and_message() {
        let e = ArmError::ResourceGroupNotFound("rg".into());
        assert_eq!(e.status(), 404);
        assert_eq!(
            e.to_body(),
            json!({"error":{"code":"ResourceGroupNotFound","message":"Resource group 'rg' could not be found."}})
        );
    }
}
