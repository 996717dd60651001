// Assigns roles to the app's identity on one resource group (where a plan's resources live).
targetScope = 'resourceGroup'

@description('Object (principal) id of the app\'s user-assigned managed identity.')
param principalId string

@description('Full resource ids of the role definitions to assign here.')
param roleDefinitionIds array

resource assignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleDefinitionId in roleDefinitionIds: {
  name: guid(resourceGroup().id, principalId, roleDefinitionId)
  properties: {
    roleDefinitionId: roleDefinitionId
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}]
