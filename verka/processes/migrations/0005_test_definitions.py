from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("processes", "0004_task_priority_index")]

    operations = [
        migrations.AddField(
            model_name="decisiondefinition",
            name="is_test",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="formdefinition",
            name="is_test",
            field=models.BooleanField(default=False),
        ),
    ]
