import { render } from 'preact';
import { App } from './app.jsx';
import { applyTheme } from './theme.js';
import './style.css';

applyTheme();
render(<App />, document.getElementById('app'));
