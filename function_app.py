"""The Functions app: the composition root. It creates the app and registers blueprints."""

import azure.durable_functions as df
import azure.functions as func

import activities
import orchestrators

app = df.DFApp(http_auth_level=func.AuthLevel.FUNCTION)
for blueprint in (*orchestrators.blueprints, *activities.blueprints):
    app.register_functions(blueprint)
