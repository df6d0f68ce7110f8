# The Run model moved from chat to runs: state only, the `runs` table stays as it is.

import chat.models
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('chat', '0002_run'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Run',
                    fields=[
                        ('id', models.CharField(db_column='_id', default=chat.models.new_object_id, editable=False, max_length=24, primary_key=True, serialize=False, verbose_name='id')),
                        ('user_id', models.CharField(db_column='userId', max_length=128, verbose_name='userId')),
                        ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('ok', 'Ok'), ('error', 'Error'), ('cancelled', 'Cancelled'), ('interrupted', 'Interrupted')], default='queued', max_length=16)),
                        ('on_disconnect', models.CharField(db_column='onDisconnect', default='cancel', max_length=16)),
                        ('created_at', models.DateTimeField(db_column='createdAt', default=django.utils.timezone.now, verbose_name='createdAt')),
                        ('started_at', models.DateTimeField(blank=True, db_column='startedAt', null=True, verbose_name='startedAt')),
                        ('finished_at', models.DateTimeField(blank=True, db_column='finishedAt', null=True, verbose_name='finishedAt')),
                        ('error', models.TextField(blank=True, default='')),
                        ('last_event_id', models.PositiveIntegerField(db_column='lastEventId', default=0, verbose_name='lastEventId')),
                        ('owner', models.CharField(blank=True, default='', max_length=128)),
                        ('heartbeat_at', models.DateTimeField(db_column='heartbeatAt', default=django.utils.timezone.now, verbose_name='heartbeatAt')),
                        ('cancel_requested', models.CharField(blank=True, db_column='cancelRequested', default='', help_text='The status a cancel asked for (cancelled or interrupted); empty when none.', max_length=16, verbose_name='cancelRequested')),
                        ('answer_message', models.ForeignKey(blank=True, db_column='answerMessageId', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='chat.message', verbose_name='answerMessageId')),
                        ('session', models.ForeignKey(db_column='sessionId', on_delete=django.db.models.deletion.CASCADE, related_name='runs', to='chat.session', to_field='session_id', verbose_name='sessionId')),
                        ('user_message', models.ForeignKey(blank=True, db_column='userMessageId', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='chat.message', verbose_name='userMessageId')),
                    ],
                    options={
                        'db_table': 'runs',
                        'ordering': ['-created_at'],
                        'indexes': [models.Index(fields=['session', '-created_at'], name='runs_session_created'), models.Index(fields=['status', 'heartbeat_at'], name='runs_status_heartbeat')],
                    },
                ),
            ],
        ),
    ]
