// As `azd infra gen` writes it for Gateway.AppHost's manifest (Azure/azure-dev cli/azd/resources/apphost/templates), with
// the deployment's PostgreSQL as the Azure flexible server of postgres.bicep. azd generates each @secure() parameter
// once (the metadata) and keeps it in its environment; the services read them in Gateway.AppHost/infra/*.tmpl.yaml.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the environment that can be used as part of naming resource convention, the name of the resource group for your application will use this name, prefixed with rg-')
param environmentName string

@minLength(1)
@description('The location used for all deployed resources')
param location string

@description('Id of the user or app to assign application roles')
param principalId string = ''

@description('The super admin\'s client id (Basic auth user name for /credentials and /tokens)')
param client_id string
@metadata({azd: {
  type: 'generate'
  config: {length:48,noSpecial:true}
  }
})
@secure()
param client_secret string
@metadata({azd: {
  type: 'generate'
  config: {length:48,noSpecial:true}
  }
})
@secure()
param encryption_key string
@metadata({azd: {
  type: 'generate'
  config: {length:48,noSpecial:true}
  }
})
@secure()
param homeserver_form_secret string
@metadata({azd: {
  type: 'generate'
  config: {length:48,noSpecial:true}
  }
})
@secure()
param homeserver_macaroon_secret string
@metadata({azd: {
  type: 'generate'
  config: {length:48,noSpecial:true}
  }
})
@secure()
param homeserver_registration_secret string
@metadata({azd: {
  type: 'generate'
  config: {length:48,noSpecial:true}
  }
})
@secure()
param postgres_password string
@metadata({azd: {
  type: 'generate'
  config: {length:22,noSpecial:true}
  }
})
@secure()
param redis_password string
@metadata({azd: {
  type: 'generate'
  config: {length:48,noSpecial:true}
  }
})
@secure()
param whatsapp_as_token string
@metadata({azd: {
  type: 'generate'
  config: {length:48,noSpecial:true}
  }
})
@secure()
param whatsapp_hs_token string

var tags = {
  'azd-env-name': environmentName
}

resource rg 'Microsoft.Resources/resourceGroups@2022-09-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}
module resources 'resources.bicep' = {
  scope: rg
  name: 'resources'
  params: {
    location: location
    tags: tags
    principalId: principalId
  }
}

module postgres 'postgres.bicep' = {
  name: 'postgres'
  scope: rg
  params: {
    location: location
    tags: tags
    administratorLoginPassword: postgres_password
  }
}

output MANAGED_IDENTITY_CLIENT_ID string = resources.outputs.MANAGED_IDENTITY_CLIENT_ID
output MANAGED_IDENTITY_NAME string = resources.outputs.MANAGED_IDENTITY_NAME
output AZURE_LOG_ANALYTICS_WORKSPACE_NAME string = resources.outputs.AZURE_LOG_ANALYTICS_WORKSPACE_NAME
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = resources.outputs.AZURE_CONTAINER_REGISTRY_ENDPOINT
output AZURE_CONTAINER_REGISTRY_MANAGED_IDENTITY_ID string = resources.outputs.AZURE_CONTAINER_REGISTRY_MANAGED_IDENTITY_ID
output AZURE_CONTAINER_REGISTRY_NAME string = resources.outputs.AZURE_CONTAINER_REGISTRY_NAME
output AZURE_CONTAINER_APPS_ENVIRONMENT_NAME string = resources.outputs.AZURE_CONTAINER_APPS_ENVIRONMENT_NAME
output AZURE_CONTAINER_APPS_ENVIRONMENT_ID string = resources.outputs.AZURE_CONTAINER_APPS_ENVIRONMENT_ID
output AZURE_CONTAINER_APPS_ENVIRONMENT_DEFAULT_DOMAIN string = resources.outputs.AZURE_CONTAINER_APPS_ENVIRONMENT_DEFAULT_DOMAIN
output SERVICE_HOMESERVER_VOLUME_HOMESERVER_DATA_NAME string = resources.outputs.SERVICE_HOMESERVER_VOLUME_HOMESERVER_DATA_NAME
output AZURE_VOLUMES_STORAGE_ACCOUNT string = resources.outputs.AZURE_VOLUMES_STORAGE_ACCOUNT
output POSTGRES_HOST string = postgres.outputs.host
output POSTGRES_NAME string = postgres.outputs.name
