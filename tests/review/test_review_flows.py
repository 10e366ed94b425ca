"""The source → sink check of layer 1: one table row per rule, each with a clean twin that must stay silent
(sanitised, parametrised, constant, or from a source that does not count there)."""

from __future__ import annotations

import textwrap

import pytest

from copiloto.review.flows import flow_findings, layer1_findings
from copiloto.review.security import SecurityFinding

FLASK = "from flask import request, redirect, render_template_string, send_file, make_response, escape\n"

# (id, code of the rule, vulnerable text, clean twin); the text of a case is Python unless the id says php
CASES: list[tuple[str, str, str, str]] = [
    (
        "sql-fstring",
        "CF-SQL",
        """
        def find(cursor):
            name = request.args['name']
            query = f"SELECT * FROM users WHERE name = '{name}'"
            cursor.execute(query)
        """,
        """
        def find(cursor):
            name = request.args['name']
            cursor.execute("SELECT * FROM users WHERE name = ?", (name,))
        """,
    ),
    (
        "sql-percent-django",
        "CF-SQL",
        """
        def view(request):
            q = request.GET.get("q", "")
            rows = User.objects.raw("SELECT * FROM auth_user WHERE username = '%s'" % q.strip())
        """,
        """
        def view(request):
            q = int(request.GET.get("q", "0"))
            rows = User.objects.raw("SELECT * FROM auth_user WHERE id = %s" % q)
        """,
    ),
    (
        "sql-format-text",
        "CF-SQL",
        """
        def view():
            sort = request.form.get("sort")
            return session.execute(text("SELECT * FROM t ORDER BY {}".format(sort)))
        """,
        """
        def view():
            sort = request.form.get("sort")
            return session.execute(text("SELECT * FROM t WHERE a = :a"), {"a": sort})
        """,
    ),
    (
        "shell-system",
        "CF-SHELL",
        """
        def ping():
            host = request.values["host"]
            os.system("ping -c 1 " + host)
        """,
        """
        def ping():
            host = request.values["host"]
            os.system("ping -c 1 " + shlex.quote(host))
        """,
    ),
    (
        "shell-subprocess",
        "CF-SHELL",
        """
        def run():
            cmd = request.json["cmd"]
            subprocess.run(f"git log {cmd}", shell=True)
        """,
        """
        def run():
            cmd = request.json["cmd"]
            subprocess.run(["git", "log", cmd])
        """,
    ),
    (
        "shell-input",
        "CF-SHELL",
        """
        name = input("file? ")
        os.popen("cat " + name)
        """,
        """
        name = "report.txt"
        os.popen("cat " + name)
        """,
    ),
    (
        "path-open",
        "CF-PATH",
        """
        def download():
            name = request.args.get("file")
            path = os.path.join("/srv/files", name)
            with open(path) as handle:
                return handle.read()
        """,
        """
        def download():
            name = request.args.get("file")
            path = os.path.join("/srv/files", secure_filename(name))
            with open(path) as handle:
                return handle.read()
        """,
    ),
    (
        "path-route-parameter",
        "CF-PATH",
        """
        @app.route("/files/<name>")
        def download(name):
            return send_file("/srv/" + name)
        """,
        """
        @app.route("/files/<int:number>")
        def download(number):
            return send_file(f"/srv/{number}.pdf")
        """,
    ),
    (
        "path-fastapi",
        "CF-PATH",
        """
        @router.get("/files")
        def read(name: str, db: Session = Depends(get_db)):
            return FileResponse(Path("/srv") / name)
        """,
        """
        @router.get("/files")
        def read(number: int, db: Session = Depends(get_db)):
            return FileResponse(Path("/srv") / f"{number}.txt")
        """,
    ),
    (
        "path-basename-only-for-paths",
        "CF-SHELL",
        """
        def remove():
            name = os.path.basename(request.form["name"])
            os.system("rm " + name)
        """,
        """
        def remove():
            name = os.path.basename(request.form["name"])
            os.remove(name)
        """,
    ),
    (
        "redirect",
        "CF-REDIRECT",
        """
        def login():
            target = request.args.get("next")
            return redirect(target)
        """,
        """
        def login():
            target = request.args.get("next")
            return redirect("/home/" + target)
        """,
    ),
    (
        "redirect-django",
        "CF-REDIRECT",
        """
        def view(request):
            return HttpResponseRedirect(request.POST["back"])
        """,
        """
        def view(request):
            return HttpResponseRedirect(reverse("home"))
        """,
    ),
    (
        "ssrf",
        "CF-SSRF",
        """
        def fetch():
            url = request.args["url"]
            return requests.get(url, timeout=5).text
        """,
        """
        def fetch():
            user = request.args["user"]
            return requests.get(f"https://api.example.com/users/{user}", timeout=5).text
        """,
    ),
    (
        "ssrf-urlopen",
        "CF-SSRF",
        """
        def fetch():
            host = request.headers.get("X-Host")
            return urllib.request.urlopen("http://" + host).read()
        """,
        """
        def fetch():
            host = request.headers.get("X-Host")
            return urllib.request.urlopen("http://localhost/status").read()
        """,
    ),
    (
        "template-string",
        "CF-TEMPLATE",
        """
        def hello():
            name = request.args.get("name", "")
            return render_template_string("<h1>Hello " + name + "</h1>")
        """,
        """
        def hello():
            name = request.args.get("name", "")
            return render_template_string("<h1>Hello {{ name }}</h1>", name=name)
        """,
    ),
    (
        "template-jinja",
        "CF-TEMPLATE",
        """
        def page():
            body = request.form["body"]
            return Template(body).render()
        """,
        """
        def page():
            body = request.form["body"]
            return Template("<p>{{ body }}</p>").render(body=body)
        """,
    ),
    (
        "markup",
        "CF-XSS",
        """
        def comment():
            text = request.form["text"]
            return Markup(f"<p>{text}</p>")
        """,
        """
        def comment():
            text = request.form["text"]
            return Markup(f"<p>{escape(text)}</p>")
        """,
    ),
    (
        "pickle",
        "CF-DESERIALISE",
        """
        def load():
            blob = base64.b64decode(request.cookies.get("state"))
            return pickle.loads(blob)
        """,
        """
        def load():
            blob = base64.b64decode(request.cookies.get("state"))
            return json.loads(blob)
        """,
    ),
    (
        "yaml",
        "CF-DESERIALISE",
        """
        def load():
            return yaml.load(request.get_data())
        """,
        """
        def load():
            return yaml.load(request.get_data(), Loader=yaml.SafeLoader)
        """,
    ),
    (
        "marshal-files",
        "CF-DESERIALISE",
        """
        def upload():
            data = request.files["code"].read()
            return marshal.loads(data)
        """,
        """
        def upload():
            with open("cache.bin", "rb") as handle:
                return marshal.loads(handle.read())
        """,
    ),
    (
        "class-based-view",
        "CF-SQL",
        """
        class Search(View):
            def get(self, *args):
                term = self.request.GET["term"]
                with connection.cursor() as cursor:
                    cursor.execute("SELECT * FROM items WHERE name LIKE '%" + term + "%'")
        """,
        """
        class Search(View):
            def get(self, *args):
                term = self.request.GET["term"]
                with connection.cursor() as cursor:
                    cursor.execute("SELECT * FROM items WHERE name LIKE %s", ["%" + term + "%"])
        """,
    ),
    (
        "reassigned-clean",
        "CF-SQL",
        """
        def view(cursor):
            order = request.args.get("order")
            cursor.execute("SELECT * FROM t ORDER BY " + order)
        """,
        """
        def view(cursor):
            order = request.args.get("order")
            order = "name"
            cursor.execute("SELECT * FROM t ORDER BY " + order)
        """,
    ),
    (
        "sql-allow-list",
        "CF-SQL",
        """
        def ordered(cursor):
            column = request.args.get("sort", "name")
            cursor.execute(f"SELECT * FROM t ORDER BY {column}")
        """,
        """
        def ordered(cursor):
            column = request.args.get("sort", "name")
            if column not in ALLOWED_SORT:
                return {"error": "bad sort"}, 400
            cursor.execute(f"SELECT * FROM t ORDER BY {column}")
        """,
    ),
    (
        "sql-through-a-list",
        "CF-SQL",
        """
        def search(cursor):
            clauses = []
            for key, value in request.get_json().items():
                clauses.append(f"{key} = '{value}'")
            cursor.execute("SELECT * FROM t WHERE " + " AND ".join(clauses))
        """,
        """
        def search(cursor):
            clauses = []
            for key in ("a", "b"):
                clauses.append(f"{key} = ?")
            cursor.execute("SELECT * FROM t WHERE " + " AND ".join(clauses), list(request.get_json().values()))
        """,
    ),
    (
        "redirect-checked-host",
        "CF-REDIRECT",
        """
        def set_language(request):
            next_url = request.POST.get("next")
            return HttpResponseRedirect(next_url)
        """,
        """
        def set_language(request):
            next_url = request.POST.get("next")
            if not url_has_allowed_host_and_scheme(url=next_url, allowed_hosts={request.get_host()}):
                next_url = "/"
            return HttpResponseRedirect(next_url)
        """,
    ),
    (
        "deserialise-imported-name",
        "CF-DESERIALISE",
        """
        from pickle import loads

        def before():
            return loads(b64decode(request.cookies.get("preferences")))
        """,
        """
        from json import loads

        def before():
            return loads(b64decode(request.cookies.get("preferences")))
        """,
    ),
    (
        "php-sql",
        "CF-SQL",
        """
        <?php
        function item() {
            global $DB;
            $id = $_GET['id'];
            $DB->query("SELECT * FROM glpi_items WHERE id = $id");
        }
        """,
        """
        <?php
        function item() {
            global $DB;
            $id = (int) $_GET['id'];
            $DB->query("SELECT * FROM glpi_items WHERE id = $id");
        }
        """,
    ),
    (
        "php-mysqli",
        "CF-SQL",
        """
        <?php
        $name = trim($_POST['name']);
        mysqli_query($link, "DELETE FROM users WHERE name = '" . $name . "'");
        """,
        """
        <?php
        $name = mysqli_real_escape_string($link, trim($_POST['name']));
        mysqli_query($link, "DELETE FROM users WHERE name = '" . $name . "'");
        """,
    ),
    (
        "php-echo",
        "CF-XSS",
        """
        <?php
        $q = $_REQUEST['q'];
        echo "<p>You searched for $q</p>";
        """,
        """
        <?php
        $q = $_REQUEST['q'];
        echo "<p>You searched for " . htmlspecialchars($q) . "</p>";
        """,
    ),
    (
        "php-include",
        "CF-INCLUDE",
        """
        <?php
        $page = $_COOKIE['page'];
        include 'pages/' . $page . '.php';
        """,
        """
        <?php
        $page = basename($_COOKIE['page']);
        include 'pages/' . $page . '.php';
        """,
    ),
    (
        "code-eval",
        "CF-CODE",
        """
        def calc():
            expression = request.args.get("expr", "")
            return str(eval("(" + expression + ")"))
        """,
        """
        def calc():
            expression = request.args.get("expr", "")
            return str(ast.literal_eval(expression))
        """,
    ),
    (
        "code-import-by-name",
        "CF-CODE",
        """
        def plugin():
            name = request.args["plugin"]
            module = importlib.import_module("plugins." + name)
            return module.run()
        """,
        """
        def plugin():
            name = request.args["plugin"]
            module = importlib.import_module(PLUGINS.get(name, "plugins.default"))
            return module.run()
        """,
    ),
    (
        "ldap-filter",
        "CF-LDAP",
        """
        def lookup():
            user = request.args.get("username")
            conn = ldap.initialize("ldap://127.0.0.1")
            return conn.search_s("dc=example,dc=com", ldap.SCOPE_SUBTREE, f"(uid={user})")
        """,
        """
        def lookup():
            user = escape_filter_chars(request.args.get("username"))
            conn = ldap.initialize("ldap://127.0.0.1")
            return conn.search_s("dc=example,dc=com", ldap.SCOPE_SUBTREE, f"(uid={user})")
        """,
    ),
    (
        "ldap3-filter",
        "CF-LDAP",
        """
        def lookup():
            dc = request.args["dc"]
            conn = ldap3.Connection(server, auto_bind=True)
            return conn.search("dc=example,dc=com", "(&(objectClass=user)(cn=" + dc + "))")
        """,
        """
        def lookup():
            dc = request.args["dc"]
            conn = ldap3.Connection(server, auto_bind=True)
            return conn.search("dc=example,dc=com", "(objectClass=user)", attributes=[dc])
        """,
    ),
    (
        "xpath",
        "CF-XPATH",
        """
        def find_user():
            name = request.args.get("name")
            root = etree.parse("users.xml")
            return root.xpath("/users/user[@name='%s']" % name)
        """,
        """
        def find_user():
            name = request.args.get("name")
            root = etree.parse("users.xml")
            return root.xpath("/users/user[@name=$name]", name=name)
        """,
    ),
    (
        "regex-pattern",
        "CF-REGEX",
        """
        def search():
            pattern = request.args["pattern"]
            return str(bool(re.search(pattern, request.args["text"])))
        """,
        """
        def search():
            pattern = re.escape(request.args["pattern"])
            return str(bool(re.search(pattern, request.args["text"])))
        """,
    ),
    (
        "xss-returned-page",
        "CF-XSS",
        """
        @app.route("/hello")
        def hello():
            name = request.args.get("name", "")
            return "<h1>Hello " + name + "</h1>", 200
        """,
        """
        @app.route("/hello")
        def hello():
            name = request.args.get("name", "")
            return "<h1>Hello " + escape(name) + "</h1>", 200
        """,
    ),
    (
        "xss-response-body",
        "CF-XSS",
        """
        def hello():
            return make_response(f"<p>{request.args['q']}</p>")
        """,
        """
        def hello():
            return make_response(f"<p>{request.args['q']}</p>", mimetype="text/plain")
        """,
    ),
    (
        "xss-template-filled-by-replace",
        "CF-XSS",
        """
        def hello():
            page = open("hello.html").read()
            return make_response(page.replace("{{ name }}", request.args.get("name")))
        """,
        """
        def hello():
            page = open("hello.html").read()
            return make_response(page.replace("{{ name }}", escape(request.args.get("name"))))
        """,
    ),
    (
        "path-upload-saved",
        "CF-PATH",
        """
        def upload():
            f = request.files["pdf"]
            f.save("./uploads/" + f.filename)
        """,
        """
        def upload():
            f = request.files["pdf"]
            f.save("./uploads/" + secure_filename(f.filename))
        """,
    ),
    (
        "log-injection",
        "CF-LOG",
        """
        def login():
            user = request.form["user"]
            logger.warning("failed login for %s", user)
        """,
        """
        def login():
            user = request.form["user"].replace("\\n", " ")
            logger.warning("failed login for %s", user)
        """,
    ),
    (
        "header-injection",
        "CF-HEADER",
        """
        def download():
            response = make_response(data)
            response.headers["Content-Disposition"] = "attachment; filename=" + request.args["name"]
            return response
        """,
        """
        def download():
            response = make_response(data)
            response.headers["Content-Disposition"] = "attachment; filename=report.csv"
            return response
        """,
    ),
    (
        "header-injection-not-a-dict-of-ones-own",
        "CF-HEADER",
        """
        def proxy():
            resp = make_response(upstream())
            resp.headers["X-Trace"] = request.headers["X-Trace"]
            return resp
        """,
        """
        def proxy():
            headers = {}
            headers["Authorization"] = request.headers["Authorization"]
            return make_response(requests.get("https://api.example.com/", headers=headers, timeout=5).text, 200)
        """,
    ),
    (
        "reflect-getattr",
        "CF-REFLECT",
        """
        def action():
            return getattr(service, request.args["op"])()
        """,
        """
        def action():
            op = request.args["op"]
            return getattr(service, "refresh")() if op == "refresh" else None
        """,
    ),
    (
        "flask-template-not-autoescaped",
        "CF-XSS",
        """
        from flask import render_template
        def report():
            return render_template("report.txt", name=request.args["name"])
        """,
        """
        from flask import render_template
        def report():
            return render_template("report.html", name=request.args["name"])
        """,
    ),
    (
        "flask-template-without-suffix",
        "CF-XSS",
        """
        import flask
        def report():
            who = request.form.get("who")
            return flask.render_template("greeting", who=who)
        """,
        """
        import flask
        def report():
            who = request.form.get("who")
            return flask.render_template(f"greeting.{kind}", who=who)
        """,
    ),
    (
        "django-error-page",
        "CF-XSS",
        """
        from django.http import HttpResponseBadRequest
        def search(request):
            term = request.GET.get("q", "")
            return HttpResponseBadRequest(f"no results for {term}")
        """,
        """
        from django.http import HttpResponseBadRequest
        from django.utils.html import escape
        def search(request):
            term = request.GET.get("q", "")
            return HttpResponseBadRequest(f"no results for {escape(term)}")
        """,
    ),
    (
        "django-html-mail",
        "CF-XSS",
        """
        from django.core.mail import send_mail
        def contact(request):
            body = request.POST["body"]
            send_mail("Contact", body, "site@example.com", ["team@example.com"], html_message=body)
        """,
        """
        from django.core.mail import send_mail
        def contact(request):
            body = request.POST["body"]
            send_mail("Contact", body, "site@example.com", ["team@example.com"])
        """,
    ),
    (
        "django-html-mail-through-the-module",
        "CF-XSS",
        """
        from django.core import mail
        def contact(request):
            mail.mail_admins("Contact", "see the HTML part", html_message=request.POST["body"])
        """,
        """
        from django.core import mail
        def contact(request):
            mail.mail_admins("Contact", request.POST["body"])
        """,
    ),
    (
        "django-html-mail-alternative",
        "CF-XSS",
        """
        def contact(request):
            mail = EmailMultiAlternatives("Contact", "see the HTML part", to=["team@example.com"])
            mail.attach_alternative("<p>" + request.POST["body"] + "</p>", "text/html")
        """,
        """
        def contact(request):
            mail = EmailMultiAlternatives("Contact", "see the HTML part", to=["team@example.com"])
            mail.attach_alternative(render_to_string("contact.html", {"body": request.POST["body"]}), "text/html")
        """,
    ),
    (
        "django-mass-assignment",
        "CF-MASS-ASSIGN",
        """
        def create(request):
            Item.objects.create(**request.POST.dict())
        """,
        """
        def create(request):
            Item.objects.create(name=request.POST["name"])
        """,
    ),
    (
        "django-mass-assignment-update",
        "CF-MASS-ASSIGN",
        """
        def edit(request, pk):
            Item.objects.filter(pk=pk).update(**request.POST)
        """,
        """
        def edit(request, pk):
            context = {}
            context.update(**request.GET)
            return render(request, "item.html", context)
        """,
    ),
    (
        "ssrf-through-a-client",
        "CF-SSRF",
        """
        import httpx
        async def proxy(url: str):
            async with httpx.AsyncClient() as client:
                return await client.get(request.args["url"])
        """,
        """
        import httpx
        async def proxy(url: str):
            async with httpx.AsyncClient() as client:
                return await client.get("https://api.example.com/" + request.args["url"])
        """,
    ),
    (
        "ssrf-a-name-also-bound-to-something-else",
        "CF-SSRF",
        """
        import requests
        session = requests.Session()
        def fetch():
            return session.post(request.form["hook"], data=b"ping")
        """,
        """
        import requests
        session = requests.Session()
        def fetch():
            session = {"a": 1}
            return session.get(request.form["key"])
        """,
    ),
    (
        "ssrf-a-name-also-a-parameter",
        "CF-SSRF",
        """
        import requests
        session = requests.Session()
        def fetch():
            return session.post(request.form["hook"], data=b"ping")
        """,
        """
        import requests
        session = requests.Session()
        def cached(session):
            return session.get(request.form["key"])
        """,
    ),
    (
        "lambda-event-to-shell",
        "CF-SHELL",
        """
        def lambda_handler(event, context):
            return os.popen("convert " + event["queryStringParameters"]["file"]).read()
        """,
        """
        def on_message(event, ctx):
            return os.popen("convert " + event["file"]).read()
        """,
    ),
    (
        "lambda-event-attribute-to-sql",
        "CF-SQL",
        """
        def handler(event: dict, context):
            name = event.body.name
            cursor.execute(text(f"SELECT * FROM users WHERE name = '{name}'"))
        """,
        """
        def handler(event: dict, context):
            name = event.body.name
            cursor.execute(text("SELECT * FROM users WHERE name = :name"), {"name": name})
        """,
    ),
    (
        "asyncio-loop-shell",
        "CF-SHELL",
        """
        def run():
            loop.run_until_complete(loop.subprocess_shell(Protocol, "ls " + request.args["dir"]))
        """,
        """
        def run():
            loop.run_until_complete(loop.subprocess_exec(Protocol, "ls", request.args["dir"]))
        """,
    ),
    (
        "asyncio-subprocess-shell",
        "CF-SHELL",
        """
        import asyncio
        async def run():
            await asyncio.subprocess.create_subprocess_shell(request.form["cmd"])
        """,
        """
        import asyncio
        async def run():
            await asyncio.subprocess.create_subprocess_exec("ls", request.form["dir"])
        """,
    ),
]


def flows_in(text: str, php: bool) -> list[SecurityFinding]:
    source = textwrap.dedent(text).lstrip("\n")
    return flow_findings(source if php else FLASK + source, "case.php" if php else "case.py")


@pytest.mark.parametrize(("case", "code", "vulnerable", "clean"), CASES, ids=[c[0] for c in CASES])
def test_a_flow_is_found_and_its_clean_twin_is_not(case: str, code: str, vulnerable: str, clean: str) -> None:
    php = case.startswith("php")
    found = [f for f in flows_in(vulnerable, php) if f.code != "CF-AUTH"]  # the snippets are not whole scripts
    assert [f.code for f in found] == [code], found
    assert [f for f in flows_in(clean, php) if f.code != "CF-AUTH"] == []
    finding = found[0]
    assert finding.source == "copiloto/flows" and finding.severity in ("error", "warning")
    assert finding.cwe is not None and finding.cwe_link == f"https://cwe.mitre.org/data/definitions/{finding.cwe}.html"


def test_the_message_names_the_source_and_the_sink_with_their_lines() -> None:
    text = (
        FLASK
        + "\n\ndef find(cursor):\n    name = request.args['name']\n"
        + ("    sql = f\"SELECT * FROM users WHERE name = '{name}'\"\n" * 4)
    )
    text += "    cursor.execute(sql)\n"
    (finding,) = flow_findings(text, "app.py")
    assert finding.line == 10 and finding.column == 4
    assert finding.message.startswith("request.args['name'] (line 5) reaches cursor.execute SQL text (line 10)")
    assert finding.cwe == 89 and finding.code == "CF-SQL" and finding.severity == "error"


def test_local_input_counts_for_the_shell_but_not_for_a_path() -> None:
    text = "import os\nname = input()\nopen(name)\nos.system('ls ' + name)\n"
    assert [(f.code, f.line, f.severity) for f in flow_findings(text, "tool.py")] == [("CF-SHELL", 4, "warning")]


def test_a_branch_adds_taint_and_never_takes_it_away() -> None:
    text = FLASK + (
        "def view(cursor, flag):\n"
        "    q = request.args['q']\n"
        "    if flag:\n"
        "        q = 'constant'\n"
        "    cursor.execute('SELECT ' + q)\n"
    )
    assert [f.code for f in flow_findings(text, "app.py")] == ["CF-SQL"]


def test_layer1_drops_a_flow_bandit_already_flags_on_that_line() -> None:
    text = FLASK + "import os\n\n\ndef ping():\n    os.system('ping ' + request.args['host'])\n"
    found = layer1_findings(text, "app.py")
    assert [f.source for f in found if f.line == 6] == ["copiloto/bandit"]  # B605, CWE-78: bandit says it
    assert flow_findings(text, "app.py")[0].line == 6


def test_layer1_keeps_bandits_findings_and_adds_the_flows() -> None:
    text = FLASK + "import subprocess\n\n\ndef go(url):\n    return redirect(request.args['next'])\n"
    found = layer1_findings(text, "app.py")
    assert {(f.source, f.code) for f in found} == {("copiloto/bandit", "B404"), ("copiloto/flows", "CF-REDIRECT")}


def test_php_gets_flows_and_no_bandit() -> None:
    text = "<?php\necho $_GET['q'];\n?>\n<p><?= $_POST['name'] ?></p>\n"
    assert [(f.code, f.line) for f in layer1_findings(text, "front/item.php")] == [("CF-XSS", 2), ("CF-XSS", 4)]


def test_broken_code_still_gives_the_flows_of_the_parts_that_parse() -> None:
    text = FLASK + "def view(cursor):\n    q = request.args['q']\n    cursor.execute(q)\n\ndef broken(:\n"
    assert [f.code for f in flow_findings(text, "app.py")] == ["CF-SQL"]


def test_the_page_address_is_a_template_source_but_not_an_open_redirect() -> None:
    text = FLASK + (
        "def not_found(error):\n"
        "    template = '<h3>%s</h3>' % request.url\n"
        "    return render_template_string(template), 404\n\n"
        "def upload():\n"
        "    return redirect(request.url)\n"
    )
    assert [(f.code, f.line) for f in flow_findings(text, "app.py")] == [("CF-TEMPLATE", 4)]


# Routes that change state with no check of the caller (flows/auth.py): (id, flagged route, text, clean twin)
AUTH_CASES: list[tuple[str, str, str, str]] = [
    (
        "flask-guarded-elsewhere",
        "delete_post",
        """
        @app.route("/profile")
        @login_required
        def profile():
            return render_template("profile.html")

        @app.route("/posts/<int:post_id>/delete", methods=["POST"])
        def delete_post(post_id):
            db.session.delete(Post.query.get_or_404(post_id))
            db.session.commit()
            return redirect("/")
        """,
        """
        @app.route("/profile")
        @login_required
        def profile():
            return render_template("profile.html")

        @app.route("/posts/<int:post_id>/delete", methods=["POST"])
        @login_required
        def delete_post(post_id):
            db.session.delete(Post.query.get_or_404(post_id))
            db.session.commit()
            return redirect("/")
        """,
    ),
    (
        "flask-administrative",
        "reset_all",
        """
        @app.route("/admin/reset", methods=["POST"])
        def reset_all():
            User.query.delete()
            db.session.commit()
            return "done"
        """,
        """
        @app.route("/items", methods=["POST"])
        def add_item():
            db.session.add(Item(name=request.form["name"]))
            db.session.commit()
            return "done"
        """,
    ),
    (
        "fastapi-dependency",
        "remove_item",
        """
        @app.get("/me")
        async def me(user: User = Depends(get_current_user)):
            return user

        @app.delete("/items/{item_id}")
        async def remove_item(item_id: int):
            await items.delete_one({"_id": item_id})
        """,
        """
        @app.get("/me")
        async def me(user: User = Depends(get_current_user)):
            return user

        @app.delete("/items/{item_id}")
        async def remove_item(item_id: int, user: User = Depends(get_current_user)):
            await items.delete_one({"_id": item_id, "owner": user.id})
        """,
    ),
    (
        "django-view",
        "rename",
        """
        @login_required
        def dashboard(request):
            return render(request, "dashboard.html")

        def rename(request, pk):
            project = Project.objects.get(pk=pk)
            project.name = request.POST["name"]
            project.save()
            return redirect("dashboard")
        """,
        """
        @login_required
        def dashboard(request):
            return render(request, "dashboard.html")

        def rename(request, pk):
            project = Project.objects.get(pk=pk, owner=request.user)
            project.name = request.POST["name"]
            project.save()
            return redirect("dashboard")
        """,
    ),
    (
        "sign-up-is-public-by-design",
        "",
        """
        @app.route("/profile", methods=["POST"])
        @login_required
        def profile():
            current_user.bio = request.form["bio"]
            db.session.commit()

        @app.route("/register", methods=["POST"])
        def register():
            db.session.add(User(name=request.form["name"]))
            db.session.commit()
        """,
        """
        @app.route("/register", methods=["POST"])
        def register():
            db.session.add(User(name=request.form["name"]))
            db.session.commit()
        """,
    ),
    (
        "router-checks-every-route",
        "",
        """
        router = APIRouter(dependencies=[Depends(get_token_header)])

        @router.get("/me")
        async def me(user: User = Depends(get_current_user)):
            return user

        @router.delete("/items/{item_id}")
        async def remove_item(item_id: int):
            await items.delete_one({"_id": item_id})
        """,
        """
        router = APIRouter(dependencies=[Depends(get_token_header)])

        @router.delete("/items/{item_id}")
        async def remove_item(item_id: int):
            await items.delete_one({"_id": item_id})
        """,
    ),
    (
        "dependency-in-the-route-decorator",
        "remove_item",
        """
        @router.get("/me")
        async def me(user: User = Depends(get_current_user)):
            return user

        @router.delete("/items/{item_id}")
        async def remove_item(item_id: int):
            await items.delete_one({"_id": item_id})
        """,
        """
        @router.get("/me")
        async def me(user: User = Depends(get_current_user)):
            return user

        @router.delete("/items/{item_id}", dependencies=[Depends(get_current_superuser)])
        async def remove_item(item_id: int):
            await items.delete_one({"_id": item_id})
        """,
    ),
    (
        "mock-patch-is-no-route",
        "",
        """
        @login_required
        def dashboard(request):
            return render(request, "dashboard.html")

        @mock.patch("app.mail.send")
        def check_sends(send):
            User.objects.filter(active=False).delete()
        """,
        """
        @mock.patch("app.mail.send")
        def check_sends(send):
            User.objects.filter(active=False).delete()
        """,
    ),
    (
        "read-only-route",
        "",
        """
        @app.route("/settings", methods=["POST"])
        @roles_required("admin")
        def settings():
            return save_settings(request.form)

        @app.route("/status")
        def status():
            return {"ok": True}
        """,
        """
        @app.route("/status")
        def status():
            return {"ok": True}
        """,
    ),
]


@pytest.mark.parametrize(("case", "route", "text", "clean"), AUTH_CASES, ids=[c[0] for c in AUTH_CASES])
def test_a_route_that_changes_state_unchecked_is_found_and_its_twin_is_not(
    case: str, route: str, text: str, clean: str
) -> None:
    found = [f for f in flows_in(text, php=False) if f.code == "CF-AUTH"]
    assert [f.message.split()[1] for f in found] == ([route] if route else [])
    for finding in found:
        assert finding.cwe == 862 and finding.severity == "warning"
    assert [f for f in flows_in(clean, php=False) if f.code == "CF-AUTH"] == []


GLPI_FRONT = """<?php
include('../inc/includes.php');
{check}
$ticket = new Ticket();
if (isset($_POST["update"])) {{
    $ticket->update($_POST);
    Html::back();
}}
"""


def test_a_glpi_script_that_writes_request_data_without_a_rights_check_is_found() -> None:
    found = [f for f in flow_findings(GLPI_FRONT.format(check=""), "front/ticket.form.php") if f.code == "CF-AUTH"]
    assert [(f.line, f.cwe) for f in found] == [(6, 862)]
    for check in ('Session::checkRight("ticket", UPDATE);', "Session::checkLoginUser();"):
        assert flow_findings(GLPI_FRONT.format(check=check), "front/ticket.form.php") == []
    checked_item = GLPI_FRONT.format(check="").replace(
        "$ticket->update", "$ticket->check($_POST['id'], UPDATE);\n$ticket->update"
    )
    assert flow_findings(checked_item, "front/ticket.form.php") == []


def test_a_glpi_class_file_is_not_a_script() -> None:
    """Classes write in their methods; the rights are checked by the front controller that calls them."""
    text = "<?php\nclass PluginDashboardItem extends CommonDBTM {\n  function save() {\n"
    text += "    $this->update($_POST);\n  }\n}\n"
    assert flow_findings(text, "inc/item.class.php") == []


def test_the_views_of_a_test_module_are_fixtures() -> None:
    text = FLASK + textwrap.dedent(AUTH_CASES[0][2]).lstrip("\n")
    assert [f.code for f in flow_findings(text, "app/views.py")] == ["CF-AUTH"]
    assert flow_findings(text, "tests/test_views.py") == []


def test_a_returned_value_is_a_page_only_where_the_framework_serves_it_as_html() -> None:
    """A Flask view's str is the page; jsonify, a JSON body, FastAPI's str and DRF's serialised Response are not."""
    flask_json = FLASK + "@app.route('/a')\ndef a():\n    return jsonify(q=request.args['q'])\n"
    flask_body = FLASK + "@app.route('/b')\ndef b():\n    return request.json\n"
    fastapi = "from fastapi import FastAPI\napp = FastAPI()\n@app.get('/c')\ndef c(q: str):\n    return 'say ' + q\n"
    helper = FLASK + "def name():\n    return 'Hello ' + request.args['q']\n"  # not a view: its caller decides
    drf = "from rest_framework.response import Response\ndef echo(request):\n    return Response(request.data)\n"
    for text in (flask_json, flask_body, fastapi, helper, drf):
        assert [f.code for f in flow_findings(text, "app.py")] == [], text
    flask_page = FLASK + "@app.route('/d')\ndef d(q):\n    return f'<b>{q}</b>'\n"  # a route parameter
    assert [f.code for f in flow_findings(flask_page, "app.py")] == ["CF-XSS"]


def test_layer1_adds_the_misuses_bandit_has_no_test_for() -> None:
    text = "import jwt\n\ndef user(token):\n    return jwt.decode(token, options={'verify_signature': False})\n"
    found = layer1_findings(text, "auth.py")
    assert [(f.line, f.code, f.source) for f in found] == [(4, "CM-JWT", "copiloto/misuse")]
    assert layer1_findings(text, "auth.php") == []  # PHP gets flows, not Python's misuse rules
