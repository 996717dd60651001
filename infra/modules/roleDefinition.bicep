// One regionshift custom role: the exact actions listed for it in ../roles.json, no wildcards.
targetScope = 'subscription'

@description('Key of the role in roles.json (data, dns, network, image, compute); part of its name.')
param roleKey string

@description('azd environment name; keeps the roles of two deployments in one tenant apart.')
param environmentName string

@description('What the role is for, shown in the portal.')
param roleDescription string

@description('The ARM actions the role grants, each one needed by a failover, failback or drill.')
param actions array

resource role 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(subscription().id, 'regionshift', environmentName, roleKey)
  properties: {
    // Role names are unique per tenant: the subscription and environment keep them apart.
    roleName: 'regionshift ${roleKey} (${environmentName}, ${take(subscription().subscriptionId, 8)})'
    description: roleDescription
    type: 'CustomRole'
    permissions: [
      {
        actions: actions
        notActions: []
      }
    ]
    assignableScopes: [
      subscription().id
    ]
  }
}

output id string = role.id
output name string = role.name
