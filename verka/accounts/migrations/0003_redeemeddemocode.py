from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_user_personal_number")]

    operations = [
        migrations.CreateModel(
            name="RedeemedDemoCode",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code_id", models.CharField(max_length=64, unique=True)),
                ("redeemed_at", models.DateTimeField(db_index=True)),
            ],
        ),
    ]
