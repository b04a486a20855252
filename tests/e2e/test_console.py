"""The web console in a real headless Chromium (Debian's chromium and
chromedriver, driven by Selenium with an explicit driver path: nothing is
downloaded): sign in through a one-time link, see a cluster and its three
kinds of identities on the graph, a denial with its explanation in the live
feed, an "Ask" answer, the clock moved from the page making a pending role
assignment effective, and a second principal's session seeing only its own
scope. Screenshots of each step go to $AKSEMU_TEST_OUTPUT/console."""

import os
import subprocess
import time

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import Aksemu, Az

CHROMIUM = os.environ.get("AKSEMU_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("AKSEMU_CHROMEDRIVER", "/usr/bin/chromedriver")
OUT = os.path.join(os.environ.get("AKSEMU_TEST_OUTPUT", "test-output"), "console")
READ_RG = "Microsoft.Resources/subscriptions/resourceGroups/read"


@pytest.fixture(scope="module")
def server():
    # A 60-minute propagation delay, as Azure documents for managed identities.
    s = Aksemu("sqlite", ["--rbac-propagation", "60m"])
    yield s
    s.stop()


@pytest.fixture(scope="module")
def browser():
    # Selenium Manager must never look for a driver or browser online.
    os.environ["SE_OFFLINE"] = "true"
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--no-first-run", "--disable-default-apps", "--window-size=1400,1000",
              # Anything but loopback goes to a closed port: the page cannot leave the machine.
              "--proxy-server=http://127.0.0.1:9"]:
        opts.add_argument(a)
    # The server's certificate is from the data dir's own CA.
    opts.accept_insecure_certs = True
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(30)
    os.makedirs(OUT, exist_ok=True)
    yield driver
    driver.quit()


def shot(driver, name):
    driver.save_screenshot(os.path.join(OUT, name + ".png"))


def link(server, *extra):
    out = subprocess.run([server.bin, "console", "--data-dir", server.data_dir, *extra],
                         check=True, capture_output=True, text=True).stdout.strip()
    assert out.startswith("https://") and "/console/signin?code=" in out, out
    return out


def wait(driver, css, pred=lambda els: els, timeout=15):
    try:
        return WebDriverWait(driver, timeout).until(
            lambda d: pred(d.find_elements(By.CSS_SELECTOR, css)) or None)
    except Exception:
        shot(driver, "failed")
        raise AssertionError(f"no '{css}' on {driver.current_url}:\n{driver.page_source[:4000]}")


def texts(driver, css):
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, css)]


def test_console(server, browser):
    az = Az(server)
    az.register_cloud()
    az.login_admin()
    base = server.env["AKSEMU_ARM_URL"].replace("127.0.0.1", "localhost")

    # Not signed in: the sign-in page, nothing else.
    browser.get(base + "/console/")
    assert "Sign in to the aksemu console" in browser.page_source
    url = link(server)
    browser.get(url.replace("127.0.0.1", "localhost"))
    assert wait(browser, "#who")[0].text.startswith("aksemu-admin")
    # The link is used up.
    browser.delete_all_cookies()
    browser.get(url)
    assert "unknown, was used already, or has expired" in browser.page_source
    browser.get(link(server))
    shot(browser, "01-signed-in")

    # A cluster made with az, its system-assigned, kubelet and add-on identities on the graph.
    az.run("group", "create", "-n", "platform", "-l", "westus2")
    team = az.json("group", "create", "-n", "team", "-l", "westus2")["id"]
    c = az.json("aks", "create", "-g", "platform", "-n", "c1", "--enable-managed-identity",
                "--enable-addons", "azure-keyvault-secrets-provider")
    browser.get(base + "/console/")
    cluster = wait(browser, "svg .k-cluster")[0]
    assert cluster.text.startswith("c1")
    kinds = " ".join(texts(browser, "svg .k-system, svg .k-kubelet, svg .k-addon"))
    assert "system-assigned identity of c1" in kinds
    assert "kubelet identity of c1" in kinds and "add-on identity of c1" in kinds
    assert c["identityProfile"]["kubeletidentity"]["resourceId"].rsplit("/", 1)[1] in kinds
    assert "node resource group of c1" in " ".join(texts(browser, "svg .k-nrg"))
    cluster.click()
    lit = browser.find_elements(By.CSS_SELECTOR, "svg .hl")
    assert len([e for e in lit if "k-kubelet" in e.get_attribute("class")]) == 1
    assert any("e-owns" in e.get_attribute("class") for e in lit)
    shot(browser, "02-graph")

    # The cluster identity at work: a LoadBalancer Service makes the cloud
    # controller write the node resource group's load balancer as the cluster.
    az.run("aks", "get-credentials", "-g", "platform", "-n", "c1")
    kenv = dict(az.env(), KUBECONFIG=os.path.join(az.home, ".kube", "config"))
    kubectl = os.environ.get("AKSEMU_KUBECTL", "kubectl")
    subprocess.run([kubectl, "create", "service", "loadbalancer", "web", "--tcp=80:8080"],
                   env=kenv, check=True, capture_output=True, timeout=60)
    system = c["identity"]["principalId"]
    browser.get(base + "/console/decisions?principal=" + system + "&action=loadBalancers")
    row = wait(browser, "li.decision.allowed", timeout=30)[0]
    assert "Microsoft.Network/loadBalancers" in row.text and "MC_platform_c1_westus2" in row.text
    browser.get(base + "/console/clusters")
    section = wait(browser, "section.cluster[data-name='c1']")[0].text
    assert "nodepool1" in section and "kube-system" in section
    assert wait(browser, "section.cluster td", lambda els: [x for x in els if x.text.startswith("load balancer at ")], timeout=30)
    shot(browser, "02b-clusters")

    # A role assignment made now is not yet effective (propagation): the bot is
    # denied, and the live feed shows why and the fix.
    bot = az.json("ad", "sp", "create-for-rbac", "-n", "ci-bot", "--role", "Reader", "--scopes", team)
    browser.get(base + "/console/decisions?result=denied")
    wait(browser, "#feed-state[data-open]")
    ci = Az(server)
    ci.register_cloud()
    e = server.env
    ci.json("login", "--service-principal", "-u", bot["appId"], "-p", bot["password"],
            "--tenant", e["AKSEMU_TENANT_ID"])
    denied = ci.run("group", "show", "-n", "team", check=False)
    assert denied.returncode != 0 and "AuthorizationFailed" in denied.stderr
    row = wait(browser, "li.decision.denied", lambda els: [x for x in els if "ci-bot" in x.text])[0]
    assert READ_RG in row.text and "/resourceGroups/team" in row.text
    assert "Reader at " in row.text and "not yet effective until" in row.text
    assert "az role assignment create --assignee-object-id" in row.text and "--role \"Reader\"" in row.text
    assert not browser.find_elements(By.CSS_SELECTOR, "li.decision.allowed"), "filtered to denials"
    shot(browser, "03-denial")

    # Ask: the same evaluator, the same answer.
    def ask():
        browser.get(base + "/console/ask")
        browser.find_element(By.ID, "ask-principal").send_keys("ci-bot")
        browser.find_element(By.ID, "ask-action").send_keys(READ_RG)
        browser.find_element(By.ID, "ask-scope").send_keys(team)
        browser.find_element(By.ID, "ask-submit").click()
        return wait(browser, "#ask-answer")[0].text

    answer = ask()
    assert answer.startswith("Denied") and "Reader" in answer and "not yet effective until" in answer
    shot(browser, "04-ask-pending")

    # The graph draws it as not yet effective.
    browser.get(base + "/console/")
    pending = wait(browser, "svg path.e-pending")
    assert "Reader" in pending[0].get_attribute("textContent")

    # The clock page lists it as upcoming, and the bot's secret expiring; an hour later it grants.
    browser.get(base + "/console/clock")
    timeline = wait(browser, "#timeline")[0].text
    assert "becomes effective" in timeline and "of ci-bot expires" in timeline, timeline
    shot(browser, "05-clock")
    browser.find_element(By.ID, "advance-3600").click()
    wait(browser, "#clock-offset", lambda els: [x for x in els if x.text.startswith("36")])
    answer = ask()
    assert answer.startswith("Allowed") and "role grants the action" in answer
    browser.get(base + "/console/")
    wait(browser, "svg path.e-effective")
    assert not browser.find_elements(By.CSS_SELECTOR, "svg path.e-pending")
    shot(browser, "06-ask-allowed")
    assert ci.json("group", "show", "-n", "team")["name"] == "team"

    # The bot's own session: only its scope, only its (or its scope's) decisions, no clock.
    browser.delete_all_cookies()
    browser.get(link(server, "--as", "ci-bot"))
    assert wait(browser, "#who")[0].text.startswith("ci-bot")
    scopes = texts(browser, "svg .k-rg, svg .k-nrg, svg .k-cluster")
    assert [s.split("\n")[0] for s in scopes] == ["team"], scopes
    shot(browser, "07-second-principal")
    browser.get(base + "/console/decisions")
    rows = wait(browser, "li.decision")
    for r in rows:
        assert "ci-bot" in r.text or "/resourceGroups/team" in r.text, r.text
    browser.get(base + "/console/clock")
    browser.find_element(By.ID, "advance-60").click()
    refused = wait(browser, "p.error")[0].text
    assert "does not have authorization to perform action 'aksemu/admin/clock/write'" in refused, refused
    browser.get(base + "/console/clock")
    assert wait(browser, "#clock-offset")[0].text.startswith("36"), "the clock did not move"
