import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "./i18n/i18n";  // the language is chosen before the first render
import { App } from "./App";
import "./styles.css";

createRoot(document.getElementById("root")!).render(<StrictMode><App /></StrictMode>);
