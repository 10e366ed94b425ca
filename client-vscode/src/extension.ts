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
  ErrorAction,
  ErrorHandlerResult,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
} from 'vscode-languageclient/node';

const SECTION = 'copiloto';
const SECRET_KEY = 'copiloto.anthropicApiKey';
const MAX_RESTARTS = 3; // crashes tolerated within RESTART_WINDOW_MS before giving up
const RESTART_WINDOW_MS = 3 * 60_000;
const STATUS_TIMEOUT_MS = 5_000; // copiloto/status unanswered this long: "not responding"
const FLAVOR_KEY = 'copiloto.installFlavor'; // globalState: 'cpu' | 'cuda', asked once
const INSTALL_ACTION = 'Install Copiloto server';

export interface ModelRow {
  name: string;
  fim?: string | null;
  size?: string | null;
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
      documentSelector: [
        { scheme: 'file', language: 'python' },
        { scheme: 'untitled', language: 'python' },
        { scheme: 'file', language: 'php' },
        { scheme: 'untitled', language: 'php' },
      ],
      outputChannel: this.log,
      traceOutputChannel: this.log,
      initializationOptions: () => ({ [SECTION]: plain(vscode.workspace.getConfiguration(SECTION)) }),
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
      },
    };

    const client = new LanguageClient('copiloto', 'Copiloto', serverOptions, clientOptions);
    this.client = client;
    client.onDidChangeState((e) => {
      if (e.newState === State.Stopped && this.uiState !== 'error') this.setState('stopped');
      if (e.newState === State.Running) void this.refresh();
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
    this.setState('stopped');
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

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

  private async refresh(): Promise<void> {
    const s = await this.fetchStatus();
    if (!s) return;
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

  private startPolling(): void {
    // every second until the model is ready, then every 10 s (a settings change can reload the model)
    const every = this.last?.state === 'ready' && this.uiState !== 'starting' ? 10_000 : 1_000;
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
  private statusPending: { since: number; cancel: vscode.CancellationTokenSource } | undefined;
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
        default: return ['$(circle-outline)', 'Copiloto: stopped', 'Copiloto: the server is not running'];
      }
    })();
    this.item.text = `${icon} ${text}`;
    this.item.tooltip = `${tip}\nClick for Copiloto actions`;
    this.item.backgroundColor = visible === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    if (visible === 'ready' || visible === 'generating' || visible === 'disabled' || visible === 'error') this.item.accessibilityInformation = { label: tip };
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
      void vscode.window.showInformationMessage('Copiloto: Anthropic API key removed.');
      await this.restart();
    });
    for (const id of ['copiloto.generateDocstring', 'copiloto.generateTests', 'copiloto.deepReview']) {
      reg(id, () => vscode.window.showInformationMessage('Copiloto: this action is not available yet.'));
    }
  }

  private async showMenu(): Promise<void> {
    const enabled = vscode.workspace.getConfiguration(SECTION).get<boolean>('completion.enabled', true);
    const items: (vscode.QuickPickItem & { run: () => unknown })[] = [
      { label: enabled ? '$(circle-slash) Disable inline completions' : '$(check) Enable inline completions', run: () => this.toggleInline() },
      { label: '$(output) Open logs', run: () => this.log.show() },
      { label: '$(graph) Show stats', run: () => this.showStats() },
      { label: '$(debug-restart) Restart server', run: () => this.restart() },
      { label: '$(key) Set Anthropic API key', run: () => this.setApiKey() },
    ];
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
      void vscode.window.showWarningMessage('Copiloto: the server is not running.');
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
