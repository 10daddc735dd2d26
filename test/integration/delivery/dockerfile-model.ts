/**
 * docker/Dockerfile read through dockerfile-ast into stages, so tests can check what each image target gets
 * (inherited ENV, USER, ENTRYPOINT, CMD, HEALTHCHECK, COPY sources) without a Docker engine.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DockerfileParser, type Env, type Copy } from 'dockerfile-ast';
import { REPO_ROOT } from '../../support/delivery-tools.js';

export const DOCKERFILE = 'docker/Dockerfile';

export interface CopyStep {
  from: string | undefined;
  sources: string[];
  destination: string;
}

export interface Stage {
  name: string;
  /** Name of the stage it builds on, or undefined when it starts from an image. */
  parent: string | undefined;
  image: string | undefined;
  env: Record<string, string>;
  user: string | undefined;
  entrypoint: string[] | undefined;
  cmd: string[] | undefined;
  healthcheck: { flags: string[]; command: string[] } | undefined;
  labels: Record<string, string>;
  copies: CopyStep[];
  workdir: string | undefined;
  run: string[];
}

const json = (text: string, where: string): string[] => {
  const parsed = JSON.parse(text) as unknown;
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string'))
    throw new Error(`${where} must use the JSON (exec) form: ${text}`);
  return parsed;
};

const unquote = (value: string) => value.replace(/^"(.*)"$/s, '$1');

export function readDockerfile(file = DOCKERFILE): Stage[] {
  const dockerfile = DockerfileParser.parse(readFileSync(path.join(REPO_ROOT, file), 'utf8'));
  const args = Object.fromEntries(
    dockerfile.getInitialARGs().map((arg) => (arg.getArgumentsContent() ?? '').split('=') as [string, string]),
  );
  const stages: Stage[] = [];
  for (const template of dockerfile.getFROMs()) {
    const imageName = template.getImageName() ?? '';
    const resolved = imageName.replace(/^\$\{?(\w+)\}?$/, (_, name: string) => args[name] ?? imageName);
    const parent = stages.find((stage) => stage.name === resolved);
    stages.push({
      name: template.getBuildStage() ?? `#${stages.length}`,
      parent: parent?.name,
      image: parent ? undefined : resolved,
      env: {},
      user: undefined,
      entrypoint: undefined,
      cmd: undefined,
      healthcheck: undefined,
      labels: {},
      copies: [],
      workdir: undefined,
      run: [],
    });
  }
  let index = -1;
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    if (keyword === 'FROM') index += 1;
    const stage = stages[index];
    if (!stage) continue;
    const content = instruction.getArgumentsContent() ?? '';
    const where = `${keyword} in stage ${stage.name}`;
    switch (keyword) {
      case 'ENV':
        for (const property of (instruction as Env).getProperties())
          stage.env[property.getName()] = property.getValue() ?? '';
        break;
      case 'LABEL':
        for (const property of (instruction as Env).getProperties())
          stage.labels[property.getName()] = unquote(property.getValue() ?? '');
        break;
      case 'USER':
        stage.user = content.trim();
        break;
      case 'WORKDIR':
        stage.workdir = content.trim();
        break;
      case 'RUN':
        stage.run.push(content);
        break;
      case 'ENTRYPOINT':
        stage.entrypoint = json(content, where);
        break;
      case 'CMD':
        stage.cmd = json(content, where);
        break;
      case 'HEALTHCHECK': {
        const match = /^((?:--\S+\s+)*)CMD\s+(\[.*\])\s*$/s.exec(content.replace(/\\\n/g, ' '));
        if (!match) throw new Error(`${where} must be HEALTHCHECK [flags] CMD [json]: ${content}`);
        stage.healthcheck = { flags: match[1]!.trim().split(/\s+/).filter(Boolean), command: json(match[2]!, where) };
        break;
      }
      case 'COPY': {
        const copy = instruction as Copy;
        const values = copy
          .getArguments()
          .map((argument) => argument.getValue())
          .filter((value) => !value.startsWith('--'));
        stage.copies.push({
          from: copy.getFromFlag()?.getValue() ?? undefined,
          sources: values.slice(0, -1),
          destination: values.at(-1)!,
        });
        break;
      }
    }
  }
  return stages;
}

/** A stage with what it inherits from its parent stages (ENV merged; later wins for the rest). */
export function effectiveStage(stages: Stage[], name: string): Stage & { chain: string[] } {
  const stage = stages.find((candidate) => candidate.name === name);
  if (!stage) throw new Error(`no stage ${name} in ${DOCKERFILE}`);
  if (!stage.parent) return { ...stage, chain: [stage.name] };
  const parent = effectiveStage(stages, stage.parent);
  return {
    ...stage,
    image: parent.image,
    env: { ...parent.env, ...stage.env },
    labels: { ...parent.labels, ...stage.labels },
    user: stage.user ?? parent.user,
    workdir: stage.workdir ?? parent.workdir,
    entrypoint: stage.entrypoint ?? parent.entrypoint,
    cmd: stage.cmd ?? parent.cmd,
    healthcheck: stage.healthcheck ?? parent.healthcheck,
    copies: [...parent.copies, ...stage.copies],
    run: [...parent.run, ...stage.run],
    chain: [...parent.chain, stage.name],
  };
}
