"""The application factory: the one place where the system is assembled."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, cast

import structlog
from advanced_alchemy.extensions.litestar import SQLAlchemyPlugin
from litestar import Litestar, Request
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.stores.registry import StoreRegistry

from concurso_coach import __version__
from concurso_coach.accounts.account_cache import AccountCache
from concurso_coach.accounts.auth import auth_middleware
from concurso_coach.accounts.controllers import ACCOUNT_CONTROLLERS
from concurso_coach.accounts.guards import provide_current_account, requires_admin, requires_editor
from concurso_coach.catalogue.controllers import CATALOGUE_CONTROLLERS
from concurso_coach.cli import CoachCLIPlugin
from concurso_coach.coach.controllers import COACH_CONTROLLERS
from concurso_coach.jobs.controllers import JobController, provide_job_queue
from concurso_coach.jobs.queue import JobQueue, LocalJobQueue, SaqJobQueue
from concurso_coach.jobs.registry import load_task_modules
from concurso_coach.platform.database import (
    build_database_config,
    install_sqlite_pragmas,
    migrate_in_thread,
)
from concurso_coach.platform.errors import handle_exception
from concurso_coach.platform.gc_tuning import tune_for_serving
from concurso_coach.platform.health import HealthController
from concurso_coach.platform.lifecycle import watch_for_shutdown
from concurso_coach.platform.logging import configure_logging
from concurso_coach.platform.middleware import (
    ANY_BODY,
    RequestContextMiddleware,
    check_json_body,
    check_query_string,
    response_stamper,
)
from concurso_coach.platform.openapi import ProblemDocsPlugin
from concurso_coach.platform.pagination import provide_page_params
from concurso_coach.platform.redis import build_store, create_redis_client
from concurso_coach.practice.controllers import PRACTICE_CONTROLLERS
from concurso_coach.questions.controllers import QUESTION_CONTROLLERS
from concurso_coach.questions.read_cache import SESSION_INFO_KEY, QuestionReadCache
from concurso_coach.settings import Settings, load_settings

if TYPE_CHECKING:
    from litestar.types import ControllerRouterHandler

log = structlog.get_logger(__name__)


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the Litestar app; connects to nothing until the lifespan starts."""
    settings = settings or load_settings()
    configure_logging(settings.log_level, settings.log_format)
    if settings.database_url_rewritten:
        log.info("database_url_rewritten", to_driver="postgresql+psycopg")

    db_config = build_database_config(settings)
    install_sqlite_pragmas(db_config)
    redis = create_redis_client(settings.redis_url) if settings.redis_url else None
    # Without Redis, questions are read from the database every time.
    question_reads = QuestionReadCache(redis) if redis is not None else None
    if question_reads is not None:
        # Services reach it through their session to invalidate it after commits.
        cast(dict[str, Any], db_config.session_config.info)[SESSION_INFO_KEY] = question_reads
    load_task_modules()
    job_queue: JobQueue = (
        SaqJobQueue(redis)
        if redis is not None
        else LocalJobQueue(settings, db_config.create_session_maker())
    )
    stores = StoreRegistry(
        stores={
            "cache": build_store(redis, "cache"),
            "response_cache": build_store(redis, "response_cache"),
        }
    )
    state = State(
        {
            "settings": settings,
            "account_cache": AccountCache(stores.get("cache")),
            "db_config": db_config,
            "engine": db_config.get_engine(),
            "redis": redis,
            "question_reads": question_reads,
            "job_queue": job_queue,
            "draining": False,
        }
    )

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        if settings.migrate_on_startup:
            await migrate_in_thread(db_config)
        await job_queue.start()
        watch_for_shutdown(app.state)
        if settings.gc_tuning:
            tune_for_serving()
        log.info(
            "service_started",
            database=db_config.get_engine().dialect.name,
            redis="configured" if redis is not None else "in-memory",
        )
        try:
            yield
        finally:
            app.state.draining = True
            await job_queue.stop()
            if redis is not None:
                await redis.aclose()
            log.info("service_stopped")

    return Litestar(
        route_handlers=_route_handlers(),
        plugins=[
            SQLAlchemyPlugin(config=db_config),
            CoachCLIPlugin(),
            _problem_docs(db_config.session_dependency_key, db_config.engine_dependency_key),
        ],
        lifespan=[lifespan],
        state=state,
        stores=stores,
        dependencies={
            "page": Provide(provide_page_params, sync_to_thread=False),
            "current_account": Provide(provide_current_account),
            "job_queue": Provide(provide_job_queue, sync_to_thread=False),
        },
        exception_handlers={Exception: handle_exception},
        middleware=[RequestContextMiddleware(), auth_middleware()],
        before_send=[response_stamper(settings.access_log)],
        before_request=_check_request,
        cors_config=(
            CORSConfig(allow_origins=settings.cors_allowed_origins, allow_credentials=False)
            if settings.cors_allowed_origins
            else None
        ),
        request_max_body_size=settings.request_max_body_bytes,
        openapi_config=_openapi_config(),
        logging_config=None,
        debug=False,
    )


async def _check_request(request: Request[Any, Any, Any]) -> None:
    check_query_string(request.scope.get("query_string", b""))
    check_json_body(request.method, request.headers, request.route_handler.opt)


def _route_handlers() -> list[ControllerRouterHandler]:
    handlers: list[ControllerRouterHandler] = [
        HealthController,
        *ACCOUNT_CONTROLLERS,
        *CATALOGUE_CONTROLLERS,
        *QUESTION_CONTROLLERS,
        *PRACTICE_CONTROLLERS,
        *COACH_CONTROLLERS,
        JobController,
    ]
    return handlers


def _problem_docs(*database_keys: str) -> ProblemDocsPlugin:
    """Every operation documents the problem details it can answer (platform.openapi)."""
    return ProblemDocsPlugin(
        role_guards=(requires_editor, requires_admin),
        # The job queue is Redis (SAQ) or the database (local): both can be down.
        backing_service_keys=(*database_keys, "job_queue"),
        raw_body_key=ANY_BODY,
    )


def _openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Concurso Coach API",
        version=__version__,
        description=(
            "Practice real past questions, track mastery and get an adaptive study plan "
            "for Brazilian public-service exams. Every error is an RFC 9457 problem "
            "(`application/problem+json`, schema `Problem`); validation errors list the "
            "offending fields in `errors`."
        ),
        path="/schema",
        render_plugins=[SwaggerRenderPlugin(path="/swagger"), ScalarRenderPlugin(path="/scalar")],
        components=Components(
            security_schemes={
                "BearerToken": SecurityScheme(
                    type="http",
                    scheme="bearer",
                    bearer_format="JWT",
                    description="Access token from POST /api/auth/login.",
                )
            }
        ),
    )
