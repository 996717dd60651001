// Parameters for plans/example.yaml (contoso-web): its secondary region and the resource groups
// its resources live in. Secrets and tenant-specific ids come from the environment (azd env set ...).
using './main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'regionshift')
param location = readEnvironmentVariable('AZURE_LOCATION', 'centralus')
param approvalKey = readEnvironmentVariable('REGIONSHIFT_APPROVAL_KEY')
param alertWebhookKey = readEnvironmentVariable('REGIONSHIFT_ALERT_KEY')
param authClientId = readEnvironmentVariable('REGIONSHIFT_AUTH_CLIENT_ID')
param drillSchedule = '0 0 6 * * 1'
param plans = 'plans'
param dataResourceGroupNames = ['rg-data-eus2', 'rg-dr-cus']
param dnsResourceGroupNames = ['rg-dr-cus']
param networkResourceGroupNames = ['rg-dr-cus']
param imageResourceGroupNames = ['rg-dr-cus']
param monitoringResourceGroupNames = []
param confirmationWorkspaceIds = []
param primarySqlServerIds = ['/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-data-eus2/providers/Microsoft.Sql/servers/sql-eus2']
param primaryRegionDisplayName = 'East US 2'
