// The alerts that start a failover: an action group calling the app's alert webhook (Common Alert
// Schema), a Resource Health alert on the primary's SQL servers and a Service Health alert for the
// primary region. The webhook's function key is a key of its own on the app (not the host's master
// key), kept in Key Vault beside the approval key; the action group carries it in its webhook URL,
// as Azure Monitor webhooks authenticate (Learn: "Action groups", webhook; the Functions HTTP
// trigger accepts the key in `?code=`). Activity log alerts are stateless: every Unavailable or
// Incident event fires, and regionshift starts one run per outage (triggers/alerts.py).
@description('Name of the Function App (the alert webhook is its /api/alerts route).')
param functionAppName string

@description('Default host name of the Function App.')
param defaultHostName string

@secure()
@minLength(32)
@description('Function key the action group calls /api/alerts with (at least 32 characters); kept in Key Vault.')
param alertWebhookKey string

@description('Name of the Key Vault that keeps the approval key; the alert webhook key goes beside it.')
param keyVaultName string

@description('Resource ids of the primary region\'s SQL servers (the plans\' `server`): Resource Health alert scope.')
param primarySqlServerIds array = []

@description('The primary region as Service Health names it (e.g. "East US 2"); empty: no Service Health alert.')
param primaryRegionDisplayName string = ''

@description('Services whose incidents in the primary region start a failover (Service Health service names).')
param serviceHealthServices array = [
  'SQL Database'
  'Azure Cosmos DB'
  'Virtual Machine Scale Sets'
  'Azure DNS'
]

@description('Tags for the action group and the alert rules.')
param tags object = {}

resource site 'Microsoft.Web/sites@2023-12-01' existing = {
  name: functionAppName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

// A named function key of the app's host (Microsoft.Web/sites/host/functionKeys), so the webhook's key
// can be rotated or revoked on its own.
resource webhookKey 'Microsoft.Web/sites/host/functionKeys@2023-12-01' = {
  name: '${site.name}/default/regionshift-alerts'
  properties: {
    name: 'regionshift-alerts'
    value: alertWebhookKey
  }
}

resource webhookKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'alert-webhook-key'
  properties: {
    value: alertWebhookKey
    contentType: 'text/plain'
    attributes: {
      enabled: true
    }
  }
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-regionshift-${uniqueString(site.id)}'
  location: 'Global'
  tags: tags
  properties: {
    groupShortName: 'regionshift'
    enabled: true
    webhookReceivers: [
      {
        name: 'regionshift-alert-webhook'
        serviceUri: 'https://${defaultHostName}/api/alerts?code=${alertWebhookKey}'
        useCommonAlertSchema: true // triggers/alerts.py reads the Common Alert Schema only
        useAadAuth: false
      }
    ]
  }
}

resource sqlResourceHealth 'Microsoft.Insights/activityLogAlerts@2020-10-01' = if (!empty(primarySqlServerIds)) {
  name: 'alert-regionshift-sql-resource-health'
  location: 'Global'
  tags: tags
  properties: {
    description: 'The primary region\'s SQL servers are unavailable or degraded (Resource Health): regionshift asks to fail over.'
    enabled: true
    scopes: primarySqlServerIds
    condition: {
      allOf: [
        {
          field: 'category'
          equals: 'ResourceHealth'
        }
        {
          anyOf: [
            {
              field: 'properties.currentHealthStatus'
              equals: 'Unavailable'
            }
            {
              field: 'properties.currentHealthStatus'
              equals: 'Degraded'
            }
          ]
        }
      ]
    }
    actions: {
      actionGroups: [
        {
          actionGroupId: actionGroup.id
        }
      ]
    }
  }
}

resource primaryServiceHealth 'Microsoft.Insights/activityLogAlerts@2020-10-01' = if (!empty(primaryRegionDisplayName)) {
  name: 'alert-regionshift-primary-service-health'
  location: 'Global'
  tags: tags
  properties: {
    description: 'A Service Health incident for the plan\'s services in the primary region: regionshift asks to fail over.'
    enabled: true
    scopes: [
      subscription().id
    ]
    condition: {
      allOf: [
        {
          field: 'category'
          equals: 'ServiceHealth'
        }
        {
          field: 'properties.incidentType'
          equals: 'Incident'
        }
        {
          field: 'properties.impactedServices[*].ImpactedRegions[*].RegionName'
          containsAny: [
            primaryRegionDisplayName
          ]
        }
        {
          field: 'properties.impactedServices[*].ServiceName'
          containsAny: serviceHealthServices
        }
      ]
    }
    actions: {
      actionGroups: [
        {
          actionGroupId: actionGroup.id
        }
      ]
    }
  }
}

output actionGroupId string = actionGroup.id
output webhookKeySecretName string = webhookKeySecret.name
