"""The base of the recorded rules' models: pydantic, frozen (a recorded rule is never changed in
place, only replaced by a new one). Not Dagster's Config: the rule is not run config (every run
reads the year's recorded rule), and the commands that only read rules need not import Dagster."""

from pydantic import BaseModel, ConfigDict


class RecordedModel(BaseModel):
    model_config = ConfigDict(frozen=True)
