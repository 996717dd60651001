// The Key Vault that holds the approval signing key; the app reads it as a Key Vault reference.
@description('Key Vault name (3-24 characters, globally unique).')
param name string

@description('Azure region of the vault (the secondary region).')
param location string

@description('Tags for the vault.')
param tags object = {}

@secure()
@description('The HMAC key approval links are signed with (at least 32 bytes).')
param approvalKey string

@description('Object (principal) id of the app\'s identity, which may read the secret and nothing else.')
param principalId string

var builtInRoles = loadJsonContent('../builtInRoles.json')

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true // no access policies: Azure RBAC, scoped to the one secret below
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      // Flex Consumption without VNet integration has no fixed outbound address to allow.
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource secret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'approval-key'
  properties: {
    value: approvalKey
    contentType: 'text/plain'
    attributes: {
      enabled: true
    }
  }
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(secret.id, principalId, builtInRoles.keyVaultSecretsUser)
  scope: secret
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.keyVaultSecretsUser)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

output name string = vault.name
// Versionless, so a rotated key is picked up without redeploying the app.
output approvalKeyUri string = '${vault.properties.vaultUri}secrets/${secret.name}'
