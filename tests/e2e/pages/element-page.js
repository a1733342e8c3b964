import { defineElement } from "/pkg/index.js";

defineElement();
