"""The README's clients, each as its own docs have it, with `devkey` and nothing of ours.

On a development server the service key without a user acts as `dev-user`, so clients that
have no place for our user field work unchanged. Each Python client runs in a fresh
interpreter (as a user's script would), the JS ones from node, against a live server with
`make run`'s settings; each must get the pipeline's answer, stored as `dev-user`'s.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import textwrap

import httpx
import pytest

from harness.live_server import LiveServer
from tests.support.node import JS, run_node

ANSWER_WORD = "intelligence"  # the built-in model's answer to "What is AI?" says it
CLIENTS = {
    "openai": """
        from openai import OpenAI
        client = OpenAI(base_url=f"{BASE}/openai/v1", api_key="devkey")
        reply = client.chat.completions.create(
            model="orchestrator", messages=[{"role": "user", "content": "What is AI?"}]
        )
        print(reply.choices[0].message.content)
    """,
    "langchain ChatOpenAI": """
        from langchain_openai import ChatOpenAI
        model = ChatOpenAI(base_url=f"{BASE}/openai/v1", api_key="devkey", model="orchestrator")
        print(model.invoke("What is AI?").content)
        print("".join(chunk.content for chunk in model.stream("What is AI?")))
    """,
    "litellm": """
        import litellm
        reply = litellm.completion(
            model="openai/orchestrator",
            api_base=f"{BASE}/openai/v1",
            api_key="devkey",
            messages=[{"role": "user", "content": "What is AI?"}],
        )
        print(reply.choices[0].message.content)
    """,
    "openai agents sdk": """
        from agents import Agent, OpenAIChatCompletionsModel, Runner, set_tracing_disabled
        from openai import AsyncOpenAI
        set_tracing_disabled(True)  # its traces go to OpenAI's platform, not to a server of ours
        client = AsyncOpenAI(base_url=f"{BASE}/openai/v1", api_key="devkey")
        model = OpenAIChatCompletionsModel(model="orchestrator", openai_client=client)
        agent = Agent(name="assistant", instructions="Answer briefly.", model=model)
        print(Runner.run_sync(agent, "What is AI?").final_output)
    """,
    "openai agents sdk, responses": """
        from agents import Agent, OpenAIResponsesModel, Runner, set_tracing_disabled
        from openai import AsyncOpenAI
        set_tracing_disabled(True)
        client = AsyncOpenAI(base_url=f"{BASE}/openai/v1", api_key="devkey")
        model = OpenAIResponsesModel(model="orchestrator", openai_client=client)
        agent = Agent(name="assistant", instructions="Answer briefly.", model=model)
        print(Runner.run_sync(agent, "What is AI?").final_output)
    """,
    "pydantic ai": """
        from pydantic_ai import Agent
        from pydantic_ai.models.openai import OpenAIChatModel
        from pydantic_ai.providers.openai import OpenAIProvider
        provider = OpenAIProvider(base_url=f"{BASE}/openai/v1", api_key="devkey")
        agent = Agent(OpenAIChatModel("orchestrator", provider=provider))
        print(agent.run_sync("What is AI?").output)
    """,
    "langgraph sdk": """
        from langgraph_sdk import get_sync_client
        client = get_sync_client(url=f"{BASE}/langgraph", api_key="devkey")
        thread = client.threads.create()["thread_id"]
        final = client.runs.wait(
            thread, "orchestrator", input={"messages": [{"role": "user", "content": "What is AI?"}]}
        )
        print(final["messages"][-1]["content"])
    """,
    "langgraph RemoteGraph": """
        from langgraph.pregel.remote import RemoteGraph
        graph = RemoteGraph("orchestrator", url=f"{BASE}/langgraph", api_key="devkey")
        final = graph.invoke({"messages": [{"role": "user", "content": "What is AI?"}]})
        print(final["messages"][-1]["content"])
    """,
}


def run_python(code: str, server: LiveServer) -> str:
    """Run a client's script in a fresh interpreter; what it printed."""
    script = f"BASE = {server.url!r}\n" + textwrap.dedent(code)
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": "/tmp",
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",  # litellm fetches prices from the internet
        "NO_PROXY": "127.0.0.1,localhost",
    }
    result = subprocess.run(  # outside the repository, whose `agents` app would shadow the SDK's
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tempfile.gettempdir(),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def dev_users_sessions(server: LiveServer) -> set[str]:
    """The newest sessions stored as dev-user's."""
    listed = httpx.get(
        f"{server.url}/v1/sessions",
        params={"userId": "dev-user", "limit": 100},
        headers={"Authorization": "Bearer devkey"},
        timeout=30,
    )
    assert listed.status_code == 200, listed.text
    return {session["sessionId"] for session in listed.json()["sessions"]}


@pytest.mark.parametrize("name", CLIENTS)
def test_a_python_client_works_unchanged_with_devkey(server, name):
    before = dev_users_sessions(server)
    printed = run_python(CLIENTS[name], server)
    assert ANSWER_WORD in printed.lower(), printed
    assert dev_users_sessions(server) - before, "the chat is stored as dev-user's"


def test_the_ai_sdk_transport_and_ag_uis_http_agent_work_unchanged_with_devkey(server):
    seen = run_node(JS / "devkey_clients.mjs", server.url)
    assert ANSWER_WORD in seen["aiSdk"].lower(), seen
    assert ANSWER_WORD in seen["agUi"].lower(), seen
    assert seen["langgraph"] and ANSWER_WORD in seen["langgraph"].lower(), seen
    assert ANSWER_WORD in seen["openai"].lower(), seen
    assert json.dumps(seen)  # what node printed is one JSON object
