package dev.batchfetch.examples;

final class Placeholder {}
