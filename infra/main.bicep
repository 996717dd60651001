// regionshift on Azure, azd-style. Everything is deployed in the SECONDARY region so that the app
// keeps running when the primary is gone. The app's identity gets custom roles with exactly the
// actions in roles.json, assigned where the plan's resources live; no Owner or Contributor anywhere.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; with the subscription and region it seeds every resource name.')
param environmentName string

@minLength(1)
@description('The plan\'s SECONDARY region (regions.secondary): the app must outlive the primary.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Name of the resource group for the app; empty: rg-regionshift-<environmentName>.')
param resourceGroupName string = ''

@secure()
@minLength(32)
@description('HMAC key approval links are signed with (at least 32 bytes); stored in Key Vault only.')
param approvalKey string

@secure()
@minLength(32)
@description('Function key Azure Monitor\'s action group calls the alert webhook with (at least 32 characters); kept in Key Vault.')
param alertWebhookKey string

@description('Resource ids of the primary region\'s SQL servers: a Resource Health alert on them starts a failover.')
param primarySqlServerIds array = []

@description('The primary region as Service Health names it (e.g. "East US 2"): its incidents start a failover; empty: none.')
param primaryRegionDisplayName string = ''

@description('Client id of the Entra ID app registration for App Service authentication (approver sign-in).')
param authClientId string

@description('Entra ID tenant approvers sign in to; defaults to the subscription\'s tenant.')
param authTenantId string = tenant().tenantId

@description('NCRONTAB schedule of the scheduled drill (REGIONSHIFT_DRILL_SCHEDULE).')
param drillSchedule string = '0 0 6 * * 1'

@description('NCRONTAB schedule of the scheduled readiness check, check --drift of every plan (REGIONSHIFT_CHECK_SCHEDULE).')
param checkSchedule string = '0 */30 * * * *'

@description('Plan files or folders in the deployed package, separated by ":" (REGIONSHIFT_PLANS).')
param plans string = 'plans'

@description('Resource groups of the SQL servers (both partners) and Cosmos DB accounts the plans name.')
param dataResourceGroupNames array = []

@description('Resource groups of the Azure DNS zones the plans switch.')
param dnsResourceGroupNames array = []

@description('Resource groups of the secondary\'s virtual networks and load balancers new scale sets join.')
param networkResourceGroupNames array = []

@description('Resource groups of the Compute Galleries new scale sets boot from.')
param imageResourceGroupNames array = []

@description('Resource groups of the resources whose metrics confirm an outage (Monitoring Reader there).')
param monitoringResourceGroupNames array = []

@description('Resource ids of the Log Analytics workspaces confirmation queries run in (Log Analytics Reader).')
param confirmationWorkspaceIds array = []

@description('Replication of the app\'s storage account (task hub, package, reports).')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
])
param storageSkuName string = 'Standard_ZRS'

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
  'regionshift-role': 'failover-controller'
}
var roles = loadJsonContent('roles.json').roles
var builtInRoles = loadJsonContent('builtInRoles.json')
var functionAppName = 'func-regionshift-${resourceToken}'
var deploymentContainerName = 'app-package-${resourceToken}'
var reportsContainerName = 'regionshift-reports'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : 'rg-regionshift-${environmentName}'
  location: location
  tags: tags
}

module identity 'br/public:avm/res/managed-identity/user-assigned-identity:0.4.1' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-regionshift-${resourceToken}'
    location: location
    tags: tags
  }
}

module logAnalytics 'br/public:avm/res/operational-insights/workspace:0.11.1' = {
  name: 'logAnalytics'
  scope: rg
  params: {
    name: 'log-regionshift-${resourceToken}'
    location: location
    tags: tags
    dataRetention: 30
  }
}

module appInsights 'br/public:avm/res/insights/component:0.6.0' = {
  name: 'appInsights'
  scope: rg
  params: {
    name: 'appi-regionshift-${resourceToken}'
    location: location
    tags: tags
    workspaceResourceId: logAnalytics.outputs.resourceId
    disableLocalAuth: true // telemetry is sent with the identity (APPLICATIONINSIGHTS_AUTHENTICATION_STRING)
  }
}

module storage 'br/public:avm/res/storage/storage-account:0.8.3' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    skuName: storageSkuName
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false // identity only: no key can leak from app settings
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    dnsEndpointType: 'Standard'
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
    blobServices: {
      containers: [
        {
          name: deploymentContainerName
        }
        {
          name: reportsContainerName
        }
      ]
    }
  }
}

module plan 'br/public:avm/res/web/serverfarm:0.1.1' = {
  name: 'plan'
  scope: rg
  params: {
    name: 'plan-regionshift-${resourceToken}'
    location: location
    tags: tags
    sku: {
      name: 'FC1'
      tier: 'FlexConsumption'
    }
    reserved: true // Linux
  }
}

module keyVault 'modules/keyVault.bicep' = {
  name: 'keyVault'
  scope: rg
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
    approvalKey: approvalKey
    principalId: identity.outputs.principalId
  }
}

module appAccess 'modules/appAccess.bicep' = {
  name: 'appAccess'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    applicationInsightsName: appInsights.outputs.name
    principalId: identity.outputs.principalId
  }
}

module functionApp 'modules/functionApp.bicep' = {
  name: 'functionApp'
  scope: rg
  dependsOn: [
    appAccess // the host needs its storage roles before it first starts
  ]
  params: {
    name: functionAppName
    location: location
    tags: union(tags, {
      'azd-service-name': 'api'
    })
    planId: plan.outputs.resourceId
    identityId: identity.outputs.resourceId
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: appInsights.outputs.name
    taskHubName: 'regionshift${resourceToken}'
    approvalKeyUri: keyVault.outputs.approvalKeyUri
    drillSchedule: drillSchedule
    checkSchedule: checkSchedule
    plans: plans
    authClientId: authClientId
    authTenantId: authTenantId
  }
}

// What starts a failover in Azure: an action group that calls /api/alerts, and example alert rules.
module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    functionAppName: functionApp.outputs.name
    defaultHostName: functionApp.outputs.defaultHostName
    alertWebhookKey: alertWebhookKey
    keyVaultName: keyVault.outputs.name
    primarySqlServerIds: primarySqlServerIds
    primaryRegionDisplayName: primaryRegionDisplayName
    tags: tags
  }
}

// Least privilege: one custom role per kind of resource a plan names (actions in roles.json).
module dataRole 'modules/roleDefinition.bicep' = {
  name: 'role-data'
  params: {
    roleKey: 'data'
    environmentName: environmentName
    roleDescription: roles.data.description
    actions: roles.data.actions
  }
}

module dnsRole 'modules/roleDefinition.bicep' = {
  name: 'role-dns'
  params: {
    roleKey: 'dns'
    environmentName: environmentName
    roleDescription: roles.dns.description
    actions: roles.dns.actions
  }
}

module networkRole 'modules/roleDefinition.bicep' = {
  name: 'role-network'
  params: {
    roleKey: 'network'
    environmentName: environmentName
    roleDescription: roles.network.description
    actions: roles.network.actions
  }
}

module imageRole 'modules/roleDefinition.bicep' = {
  name: 'role-image'
  params: {
    roleKey: 'image'
    environmentName: environmentName
    roleDescription: roles.image.description
    actions: roles.image.actions
  }
}

module computeRole 'modules/roleDefinition.bicep' = {
  name: 'role-compute'
  params: {
    roleKey: 'compute'
    environmentName: environmentName
    roleDescription: roles.compute.description
    actions: roles.compute.actions
  }
}

module dataAccess 'modules/resourceGroupAccess.bicep' = [for name in dataResourceGroupNames: {
  name: 'access-data-${uniqueString(name)}'
  scope: resourceGroup(name)
  params: {
    principalId: identity.outputs.principalId
    roleDefinitionIds: [
      dataRole.outputs.id
    ]
  }
}]

module dnsAccess 'modules/resourceGroupAccess.bicep' = [for name in dnsResourceGroupNames: {
  name: 'access-dns-${uniqueString(name)}'
  scope: resourceGroup(name)
  params: {
    principalId: identity.outputs.principalId
    roleDefinitionIds: [
      dnsRole.outputs.id
    ]
  }
}]

module networkAccess 'modules/resourceGroupAccess.bicep' = [for name in networkResourceGroupNames: {
  name: 'access-network-${uniqueString(name)}'
  scope: resourceGroup(name)
  params: {
    principalId: identity.outputs.principalId
    roleDefinitionIds: [
      networkRole.outputs.id
    ]
  }
}]

module imageAccess 'modules/resourceGroupAccess.bicep' = [for name in imageResourceGroupNames: {
  name: 'access-image-${uniqueString(name)}'
  scope: resourceGroup(name)
  params: {
    principalId: identity.outputs.principalId
    roleDefinitionIds: [
      imageRole.outputs.id
    ]
  }
}]

module monitoringAccess 'modules/resourceGroupAccess.bicep' = [for name in monitoringResourceGroupNames: {
  name: 'access-monitoring-${uniqueString(name)}'
  scope: resourceGroup(name)
  params: {
    principalId: identity.outputs.principalId
    roleDefinitionIds: [
      subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.monitoringReader)
    ]
  }
}]

module confirmationAccess 'modules/workspaceReader.bicep' = [for workspaceId in confirmationWorkspaceIds: {
  name: 'access-logs-${uniqueString(workspaceId)}'
  scope: resourceGroup(split(workspaceId, '/')[2], split(workspaceId, '/')[4])
  params: {
    workspaceName: last(split(workspaceId, '/'))
    principalId: identity.outputs.principalId
  }
}]

// The failover (and drill) resource group does not exist until a failover creates it, so creating
// it and the scale sets in it can only be granted where it will inherit from: the subscription.
resource computeAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(subscription().id, environmentName, 'regionshift-compute')
  properties: {
    roleDefinitionId: computeRole.outputs.id
    principalId: identity.outputs.principalId
    principalType: 'ServicePrincipal'
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output REGIONSHIFT_URL string = 'https://${functionApp.outputs.defaultHostName}'
output REGIONSHIFT_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output REGIONSHIFT_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output REGIONSHIFT_KEY_VAULT_NAME string = keyVault.outputs.name
output REGIONSHIFT_ALERT_ACTION_GROUP_ID string = alerts.outputs.actionGroupId
// Put this in a plan's `reports.storage_account_url` (container regionshift-reports) to keep reports here.
output REGIONSHIFT_REPORTS_STORAGE_ACCOUNT_URL string = 'https://${storage.outputs.name}.blob.${environment().suffixes.storage}'
