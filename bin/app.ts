#!/usr/bin/env node
import { buildOptlineApp } from '../lib/optline-app';

buildOptlineApp().app.synth();
