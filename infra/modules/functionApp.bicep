// The regionshift Function App: Flex Consumption, Python 3.13 on Linux, one user-assigned identity
// for everything (storage, Key Vault reference, Application Insights, ARM), Entra ID sign-in.
@description('Function App name (globally unique host name).')
param name string

@description('Azure region of the app: the secondary region, so it survives the loss of the primary.')
param location string

@description('Tags for the app; azd finds the app to deploy by its azd-service-name tag.')
param tags object = {}

@description('Resource id of the Flex Consumption plan.')
param planId string

@description('Resource id of the user-assigned managed identity.')
param identityId string

@description('Client id of the user-assigned managed identity.')
param identityClientId string

@description('Name of the storage account for AzureWebJobsStorage, the task hub and the deployment package.')
param storageAccountName string

@description('Blob container the deployment package is uploaded to.')
param deploymentContainerName string

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('Durable task hub name (TASKHUB_NAME, read by host.json as %TASKHUB_NAME%).')
param taskHubName string

@description('Versionless Key Vault secret URI of the approval signing key.')
param approvalKeyUri string

@description('NCRONTAB schedule of the drill timer (REGIONSHIFT_DRILL_SCHEDULE).')
param drillSchedule string

@description('NCRONTAB schedule of the readiness timer (REGIONSHIFT_CHECK_SCHEDULE).')
param checkSchedule string

@description('Plan files or folders, relative to the app root, separated by ":" (REGIONSHIFT_PLANS).')
param plans string

@description('Client id of the Entra ID app registration used for App Service authentication.')
param authClientId string

@description('Entra ID tenant the approvers sign in to.')
param authTenantId string

@description('Highest number of instances Flex Consumption may scale out to.')
@minValue(40)
param maximumInstanceCount int = 40

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: planId
    httpsOnly: true
    clientCertEnabled: false
    keyVaultReferenceIdentity: identityId // resolve @Microsoft.KeyVault(...) with the user-assigned identity
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: 2048
      }
      // 3.13: its worker (azure-functions-runtime) is pinned in requirements.txt, so Azure runs the
      // worker that tests/app indexes the app with (docs/deployment.md).
      runtime: {
        name: 'python'
        version: '3.13'
      }
    }
  }
}

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: app
  name: 'appsettings'
  properties: {
    // Identity-based host storage: no account key or connection string anywhere.
    AzureWebJobsStorage__accountName: storage.name
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    // DefaultAzureCredential (azure-identity) signs in as this user-assigned identity.
    AZURE_CLIENT_ID: identityClientId
    APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
    TASKHUB_NAME: taskHubName
    REGIONSHIFT_APPROVAL_KEY: '@Microsoft.KeyVault(SecretUri=${approvalKeyUri})'
    REGIONSHIFT_DRILL_SCHEDULE: drillSchedule
    REGIONSHIFT_CHECK_SCHEDULE: checkSchedule
    REGIONSHIFT_PLANS: plans
    // The cloud the app is deployed in (sovereign clouds have other endpoints).
    REGIONSHIFT_ARM_ENDPOINT: environment().resourceManager
    REGIONSHIFT_ARM_AUDIENCE: environment().resourceManager
  }
}

// App Service authentication: approvers sign in with Entra ID, so the app sees a verified
// x-ms-client-principal-name instead of a name typed into a form.
resource auth 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: app
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'RedirectToLoginPage'
      redirectToProvider: 'azureactivedirectory'
      // Azure Monitor action groups cannot sign in: the alert webhook keeps its function key.
      excludedPaths: [
        '/api/alerts'
      ]
    }
    httpSettings: {
      requireHttps: true
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: authClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${authTenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [
            'api://${authClientId}'
            authClientId
          ]
        }
      }
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
  }
}

// No FTP or basic-auth publishing: deployments go through the identity and the blob container.
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'scm'
  properties: {
    allow: false
  }
}

output name string = app.name
output defaultHostName string = app.properties.defaultHostName
