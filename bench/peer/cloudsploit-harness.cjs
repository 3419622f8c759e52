#!/usr/bin/env node
/*
 * cloudsploit-harness.cjs - offline benchmark harness for the peer tool CloudSploit
 * (aquasecurity/cloudsploit), IAM credential-report plugins only.
 *
 * Usage:  CLOUDSPLOIT_DIR=/path/to/cloudsploit node bench/peer/cloudsploit-harness.cjs <report.csv> [outDir]
 *
 * What it does (no AWS access, no network):
 *  1. Reads <report.csv> (AWS IAM credential report format) and feeds it to CloudSploit's
 *     own, unmodified collector collectors/aws/iam/generateCredentialReport.js. The
 *     collector's `new AWS.IAM()` gets a stub (the real aws-sdk v2 module is loaded, and
 *     only its IAM constructor is replaced) whose generateCredentialReport() answers
 *     {State:'COMPLETE'} and getCredentialReport() answers {Content: Buffer(file)} on the
 *     first try, so async.retry's 5000 ms interval never runs. The parsing (split on '\n'
 *     and ',', TRUE/FALSE/N/A conversion, entries keyed by heading) is CloudSploit's code.
 *     The file's single trailing newline, if any, is removed first, because the AWS API's
 *     Content has none; otherwise CloudSploit would parse one extra entry {user:''}.
 *     Set CS_HARNESS_RAW=1 to pass the file bytes unchanged.
 *  2. Builds the collection cache as collectors/aws/collector.js does for an override
 *     call: collection.iam.generateCredentialReport['us-east-1'] = {} (regions.iam), then
 *     the collector sets .data = entries (or .err). Plugins read it via helpers.addSource.
 *  3. Runs the 14 plugins of plugins/aws/iam whose apis are ['IAM:generateCredentialReport']
 *     like engine.js: async.mapValuesLimit(plugins, 10, ...), plugin.run(collection,
 *     settings, postRun), with the settings object index.js builds when run without a
 *     config file (cloud 'aws', no plugin-specific values, so every plugin uses its
 *     default settings) plus --csv/--json/--console none. Results go through engine.js's
 *     suppression filter and CloudSploit's own postprocess/output.js handlers, i.e. the
 *     files are exactly what `index.js --csv F --json F --console none` would write:
 *       <outDir>/cloudsploit-results.csv   (csv-write-stream; category,title,description,
 *                                            resource,region,statusWord,message)
 *       <outDir>/cloudsploit-results.json  (array of {plugin,category,title,description,
 *                                            resource,region,status,message})
 *     outDir defaults to a new mkdtemp folder under os.tmpdir().
 *     stdout: CloudSploit's own INFO lines. stderr: one summary line.
 *  Not reproduced: index.js/engine.js load exports.js (all ~1,500 plugins of all clouds)
 *  and call EC2 describeRegions; this harness loads only the 14 plugins used.
 *
 * Peer version: aquasecurity/cloudsploit commit 4b5bbd809f1ea2e91b87944920794d2bddf770ed
 * (package 2.0.0), measured on 2026-12-07 with aws-sdk 2.1693.0, async 2.6.4,
 * csv-write-stream 2.0.0 (npm resolved them: the repository has no lockfile).
 *
 * Set-up, once, outside this repository (docs/development.md, "The peer"):
 *   git clone https://github.com/aquasecurity/cloudsploit /path/to/cloudsploit
 *   (cd /path/to/cloudsploit && git checkout 4b5bbd809f1ea2e91b87944920794d2bddf770ed && npm install --omit=dev)
 *   export CLOUDSPLOIT_DIR=/path/to/cloudsploit
 *   BENCH_PEER_COMMAND='{node} bench/peer/cloudsploit-harness.cjs {report} {out}' npm run bench -- issue-26
 * The CloudSploit tree is looked up at $CLOUDSPLOIT_DIR (required).
 */
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { createRequire } = require('module');

// Keep stderr to our one summary line (aws-sdk v2 prints an end-of-support notice).
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = '1';

if (!process.env.CLOUDSPLOIT_DIR) {
    process.stderr.write('cloudsploit-harness: set CLOUDSPLOIT_DIR to a CloudSploit checkout with its dependencies installed\n');
    process.exit(2);
}
const CS = path.resolve(process.env.CLOUDSPLOIT_DIR);
const csRequire = createRequire(path.join(CS, 'engine.js'));

const reportPath = process.argv[2];
if (!reportPath) {
    process.stderr.write('usage: node cloudsploit-harness.cjs <report.csv> [outDir]\n');
    process.exit(2);
}
const outDir = process.argv[3]
    ? path.resolve(process.argv[3])
    : fs.mkdtempSync(path.join(os.tmpdir(), 'cloudsploit-out-'));
fs.mkdirSync(outDir, { recursive: true });

// ---- 1. the report, served by a stub IAM client --------------------------------------
let content = fs.readFileSync(reportPath);          // Buffer, like the SDK's Content blob
if (!process.env.CS_HARNESS_RAW) {
    let end = content.length;
    if (end && content[end - 1] === 0x0a) end--;
    if (end && content[end - 1] === 0x0d) end--;
    if (end !== content.length) content = content.subarray(0, end);
}

const AWS = csRequire('aws-sdk');                   // same module instance the collector gets
function StubIAM(config) { this.config = config; }
StubIAM.prototype.generateCredentialReport = function(params, cb) {
    if (typeof params === 'function') cb = params;
    setImmediate(cb, null, { State: 'COMPLETE', Description: 'stub' });
};
StubIAM.prototype.getCredentialReport = function(params, cb) {
    if (typeof params === 'function') cb = params;
    setImmediate(cb, null, { Content: content, ReportFormat: 'text/csv', GeneratedTime: new Date() });
};
AWS.IAM = StubIAM;

const async = csRequire('async');
const helpers = csRequire('./helpers/aws');
const suppress = csRequire('./postprocess/suppress.js');
const output = csRequire('./postprocess/output.js');
const genCredReport = csRequire('./collectors/aws/iam/generateCredentialReport.js');

// ---- settings: what index.js builds without --config, plus the output flags ------------
const csvFile = path.join(outDir, 'cloudsploit-results.csv');
const jsonFile = path.join(outDir, 'cloudsploit-results.json');
const settings = {
    config: undefined, compliance: undefined, plugin: undefined,
    govcloud: false, china: false,
    csv: csvFile, json: jsonFile, junit: undefined,
    console: 'none', collection: undefined,
    ignore_ok: false, exit_code: false, skip_paginate: true,
    suppress: undefined, remediate: undefined, run_asl: true,
    cloud: 'aws'
};

// ---- plugins: plugins/aws/iam/* whose only API is the credential report --------------
const PLUGIN_IDS = [
    'accessKeysExtra', 'accessKeysLastUsed', 'accessKeysRotated', 'canaryKeysUsed',
    'iamUserInUse', 'iamUserNameRegex', 'iamUserNotInUse', 'rootAccessKeys',
    'rootAccountInUse', 'rootMfaEnabled', 'rootSigningCertificate', 'usersMfaEnabled',
    'usersPasswordAndKeys', 'usersPasswordLastUsed'
];
const plugins = {};
for (const id of PLUGIN_IDS) {
    plugins[id] = csRequire(`./plugins/aws/iam/${id}.js`);
    if (plugins[id].apis.join() !== 'IAM:generateCredentialReport') {
        throw new Error(`${id} needs more than the credential report: ${plugins[id].apis}`);
    }
}

// ---- 2. collection (collectors/aws/collector.js, override branch) ---------------------
const suppressionFilter = suppress.create(settings.suppress);
const outputHandler = output.create(settings);
const AWSConfig = { maxRetries: 8, retryDelayOptions: { base: 100 } };
const regions = helpers.regions(settings);
const collection = { iam: { generateCredentialReport: {} } };
const retries = [];

async.eachLimit(regions.iam, helpers.MAX_REGIONS_AT_A_TIME, function(region, regionCb) {
    collection.iam.generateCredentialReport[region] = {};
    const LocalAWSConfig = JSON.parse(JSON.stringify(AWSConfig));
    LocalAWSConfig.region = region;
    genCredReport(LocalAWSConfig, collection, retries, function() { regionCb(); });
}, function() {
    outputHandler.writeCollection(collection, settings.cloud);
    runPlugins();
});

// ---- 3. plugins + output (engine.js executePlugins, no remediation / ASL) -------------
function runPlugins() {
    let maximumStatus = 0;
    const resultsObject = {};
    const counts = {};                 // pluginId -> {OK,WARN,FAIL,UNKNOWN}
    const totals = { OK: 0, WARN: 0, FAIL: 0, UNKNOWN: 0 };
    const word = (s) => (s === 0 ? 'OK' : s === 1 ? 'WARN' : s === 2 ? 'FAIL' : 'UNKNOWN');

    async.mapValuesLimit(plugins, 10, function(plugin, key, pluginDone) {
        counts[key] = { OK: 0, WARN: 0, FAIL: 0, UNKNOWN: 0 };
        const postRun = function(err, results) {
            if (err) return console.log(`ERROR: ${err}`);
            if (!results || !results.length) {
                console.log(`Plugin ${plugin.title} returned no results. There may be a problem with this plugin.`);
            } else {
                if (!resultsObject[plugin.title]) resultsObject[plugin.title] = [];
                for (const r in results) {
                    if (suppressionFilter([key, results[r].region || 'any', results[r].resource || 'any'].join(':'))) {
                        continue;
                    }
                    resultsObject[plugin.title].push(results[r]);
                    counts[key][word(results[r].status)]++;
                    totals[word(results[r].status)]++;
                    outputHandler.writeResult(results[r], plugin, key, null);
                    maximumStatus = Math.max(maximumStatus, results[r].status);
                }
            }
            setTimeout(function() { pluginDone(err, maximumStatus); }, 0);
        };
        plugin.run(collection, settings, postRun);
    }, function(err) {
        if (err) return console.log(err);
        outputHandler.close();
        console.log('INFO: Scan complete');

        const cr = collection.iam.generateCredentialReport[helpers.defaultRegion(settings)];
        const entries = cr && cr.data ? cr.data : [];
        const nRoot = entries.filter((e) => e.user === '<root_account>').length;
        if (process.env.CS_HARNESS_COUNTS) {
            for (const id of PLUGIN_IDS) process.stdout.write(`COUNTS ${id} ${JSON.stringify(counts[id])}\n`);
        }
        const total = totals.OK + totals.WARN + totals.FAIL + totals.UNKNOWN;
        process.stderr.write(
            `cloudsploit-harness: ${entries.length - nRoot} users (+${nRoot} root) parsed` +
            (cr && cr.err ? ` [collector error: ${cr.err}]` : '') +
            `; ${PLUGIN_IDS.length} plugins; ${total} results: OK=${totals.OK} WARN=${totals.WARN}` +
            ` FAIL=${totals.FAIL} UNKNOWN=${totals.UNKNOWN}; out=${outDir}\n`);
    });
}
