// What the Functions host itself needs, granted to the app's identity instead of keys: the Durable
// task hub in the storage account (blobs, queues, tables) and publishing telemetry to Application Insights.
@description('Name of the app\'s storage account (AzureWebJobsStorage, task hub, deployment package, reports).')
param storageAccountName string

@description('Name of the Application Insights component the app sends telemetry to.')
param applicationInsightsName string

@description('Object (principal) id of the app\'s user-assigned managed identity.')
param principalId string

var builtInRoles = loadJsonContent('../builtInRoles.json')
var storageRoles = [
  builtInRoles.storageBlobDataOwner // host leases, deployment package, Durable large messages, reports
  builtInRoles.storageQueueDataContributor // Durable control and work-item queues
  builtInRoles.storageTableDataContributor // Durable history and instance tables
]

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource storageAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in storageRoles: {
  name: guid(storage.id, principalId, roleId)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}]

resource telemetry 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, principalId, builtInRoles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.monitoringMetricsPublisher)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
