// Log Analytics Reader on one workspace: the confirmation query of policy.confirmation.logs.
targetScope = 'resourceGroup'

@description('Name of the Log Analytics workspace the confirmation query runs in.')
param workspaceName string

@description('Object (principal) id of the app\'s user-assigned managed identity.')
param principalId string

var builtInRoles = loadJsonContent('../builtInRoles.json')

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: workspaceName
}

resource reader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(workspace.id, principalId, builtInRoles.logAnalyticsReader)
  scope: workspace
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.logAnalyticsReader)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
