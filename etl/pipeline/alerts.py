"""What the operators' alert tells them to do, from the kind of error that stopped a task.

A wrong Param is fixed by triggering again with it corrected (clearing the task would repeat
the error); broken data by correcting the data and rerunning; a broken settings file by
fixing it and clearing the task; a transient failure retries by itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from etl.core import ConfigError, ParamError, WarehouseError
from etl.survey import IndexInputError, RakingError, SurveyDataError


@dataclass(frozen=True)
class Advice:
    """The alert's last paragraph: what kind of failure, and what to do, in both languages."""

    kind: str  # param | config | data | warehouse | retrying | other
    zh: str
    en: str


DATA_CONTRACT_ERRORS: tuple[type[Exception], ...] = (SurveyDataError, IndexInputError, RakingError)


def _chain(error: BaseException | None) -> Iterator[BaseException]:
    """The error and what caused it (the DAG wraps etl's errors in Airflow's)."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


def advice_for(error: BaseException | None, will_retry: bool = False) -> Advice:
    """The fix for the error that failed a task; `will_retry` when Airflow tries it again."""
    if will_retry:
        return Advice(
            "retrying",
            "这可能是暂时性故障（如邮件服务器或数据仓库暂时不可用），"
            "Airflow 会自动重试，暂不需要处理；"
            "重试用尽仍失败时会再发一封告警。",
            "This looks transient (a mail server or warehouse briefly unreachable): Airflow "
            "retries the task by itself, nothing to do yet; if the retries run out you get "
            "another alert.",
        )
    for cause in _chain(error):
        if isinstance(cause, ParamError):
            return _param_advice(cause.param)
        if isinstance(cause, ConfigError):
            return Advice(
                "config",
                "配置文件有误（文件和键见上方错误）："
                "修改该文件后，在 Airflow 中清除（Clear）此任务，从失败处继续。",
                "A settings file is wrong (file and key named in the error above): fix the "
                "file, then clear this task in Airflow to resume where it failed.",
            )
        if isinstance(cause, DATA_CONTRACT_ERRORS):
            return Advice(
                "data",
                "数据不符合数据约定（检查项见上方错误）：在数据仓库中更正数据后重新运行"
                "（清除此任务，或用相同参数重新触发）；"
                "已发送的报告不会重复发送，更正后的版本需 resend=true 才会发出。",
                "The data broke the data contract (the check is named in the error above): "
                "correct the data in the warehouse, then rerun (clear this task, or trigger "
                "again with the same Params); delivered reports are not sent twice, and a "
                "corrected revision goes out only with resend=true.",
            )
        if isinstance(cause, WarehouseError):
            return Advice(
                "warehouse",
                "数据仓库无法读取或缺少所需数据（见上方错误），重试已用尽：检查 Airflow 连接 "
                "satisfaction_warehouse 和数据加载，然后清除此任务。",
                "The warehouse could not be read or lacks the data the run needs (see the error "
                "above) and the retries are used up: check the Airflow connection "
                "satisfaction_warehouse and the data load, then clear this task.",
            )
    return Advice(
        "other",
        "重试已用尽。查看日志找出原因并修复后，在 Airflow 中清除此任务，从失败处继续；"
        "已发送的报告不会重复发送。",
        "The task has used up its retries. Read the log, fix the cause, then clear the task "
        "in Airflow to resume from where it failed; reports already delivered are not sent "
        "again.",
    )


def _param_advice(param: str | None) -> Advice:
    name = param or "the Param named in the error"
    return Advice(
        "param",
        f"运行参数 {name} 有误：请在 Airflow 中重新触发（Trigger）DAG 并更正 {name}；"
        "清除（Clear）此任务只会重复同样的错误。",
        f"The run Param {name} is wrong: trigger the DAG again in Airflow with {name} "
        "corrected; clearing this task would only repeat the same error.",
    )
