"""The Functions app: the composition root. It creates the app and registers blueprints."""

import azure.durable_functions as df
import azure.functions as func

import activities
import activities.approval
import orchestrators
import orchestrators.approval
import triggers

app = df.DFApp(http_auth_level=func.AuthLevel.FUNCTION)
for blueprint in (*orchestrators.blueprints, *activities.blueprints):
    app.register_functions(blueprint)
app.register_functions(orchestrators.approval.bp)
app.register_functions(activities.approval.bp)
for blueprint in triggers.blueprints:
    app.register_functions(blueprint)
